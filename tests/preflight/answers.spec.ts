import { expect } from "chai";
import { AnswerCache } from "../../tools/preflight/answers";

describe("preflight: AnswerCache", () => {
  it("answers an equal key with the first answer, asking once, falsy answers included", () => {
    const cache = new AnswerCache<string, boolean>(10);
    let asked = 0;
    const ask = () => (asked++, false);
    expect(cache.answer("a", ask)).to.equal(false);
    expect(cache.answer("a", ask)).to.equal(false);
    expect(asked).to.equal(1);
  });

  it("starts over past its bound, so a key it forgot is asked again", () => {
    const cache = new AnswerCache<number, number>(2);
    const asked: number[] = [];
    const ask = (k: number) => () => (asked.push(k), k * 10);
    cache.answer(1, ask(1));
    cache.answer(2, ask(2));
    cache.answer(3, ask(3)); // full: starts over with 3 alone
    cache.answer(3, ask(3));
    cache.answer(1, ask(1));
    expect(asked).to.deep.equal([1, 2, 3, 1]);
  });

  it("forgets a refused promise, so the next equal question is asked afresh", async () => {
    const cache = new AnswerCache<string, Promise<string>>(10);
    const refused = cache.answer("k", () => Promise.reject(new Error("no")));
    await refused.catch(() => undefined);
    const second = cache.answer("k", () => Promise.resolve("yes"));
    expect(await second).to.equal("yes");
    expect(cache.answer("k", () => Promise.resolve("again"))).to.equal(second);
  });

  it("keeps a newer answer when an older, forgotten one is refused later", async () => {
    const cache = new AnswerCache<number, Promise<string>>(1);
    let refuse!: (e: Error) => void;
    const old = cache.answer(1, () => new Promise<string>((_, no) => (refuse = no)));
    void cache.answer(2, () => Promise.resolve("two")); // full: 1 is forgotten
    const newer = cache.answer(1, () => Promise.resolve("one")); // full again: 1 kept alone
    refuse(new Error("late"));
    await old.catch(() => undefined);
    expect(cache.answer(1, () => Promise.resolve("asked again"))).to.equal(newer);
  });
});
