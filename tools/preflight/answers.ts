/**
 * The preflight's caches of answers that are pure functions of their key: the simulator's answers,
 * the IAM libraries' lookups, ARN matching. Each is bounded (a long-lived process, the test suite
 * or a plan at scale, keeps asking new questions): past `max` entries it starts over. A promised
 * answer that is refused is forgotten, so the next equal question is asked afresh and refused
 * afresh rather than answered with the old refusal.
 */
export class AnswerCache<K, V> {
  private readonly answers = new Map<K, V>();

  constructor(private readonly max: number) {}

  /** The answer kept for `key`, or `ask()`'s, kept. */
  answer(key: K, ask: () => V): V {
    if (this.answers.has(key)) return this.answers.get(key) as V;
    if (this.answers.size >= this.max) this.answers.clear();
    const answer = ask();
    this.answers.set(key, answer);
    if (answer instanceof Promise)
      answer.catch(() => {
        if (this.answers.get(key) === answer) this.answers.delete(key);
      });
    return answer;
  }
}
