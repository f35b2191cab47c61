/**
 * Synthetic patients and clinic visits for a first research study: no real person behind any row,
 * deterministic for a seed, and streamed so that millions of visits need constant memory.
 */
import { once } from "node:events";
import type { Writable } from "node:stream";

/** xoshiro128**: a small, fast generator with a 2^128 period; the same seed, the same data. */
export class Random {
  private s: Uint32Array;

  constructor(seed: number) {
    // splitmix32 spreads any seed over the four words of state (never all zero).
    let x = seed >>> 0;
    const next = () => {
      x = (x + 0x9e3779b9) >>> 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.s = new Uint32Array([next(), next(), next(), next()]);
  }

  /** A uniform float in [0, 1). */
  next(): number {
    const s = this.s;
    const result = Math.imul(rotl(Math.imul(s[1], 5), 7), 9) >>> 0;
    const t = s[1] << 9;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 11);
    return result / 4294967296;
  }

  between(min: number, max: number): number {
    return min + (max - min) * this.next();
  }

  integer(min: number, max: number): number {
    return Math.floor(this.between(min, max + 1));
  }

  /** A normal deviate (Box-Muller). */
  normal(mean: number, sd: number): number {
    const u = 1 - this.next();
    const v = this.next();
    return mean + sd * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

const clamp = (v: number, min: number, max: number) => Math.min(max, Math.max(min, v));
const round = (v: number, digits: number) => {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
};

/** Oxygen saturation never reads above this in the data (pulse oximeters top out near it). */
export const MAX_SPO2 = 99.4;
/** Diastolic pressure stays at least this far below systolic... */
export const MIN_PULSE_PRESSURE = 4;
/** ...and at or under a hypertensive crisis reading. */
const MAX_DIASTOLIC = 130;

export const PATIENT_COLUMNS = ["patient_id", "sex", "birth_year", "height_cm"] as const;

export const VISIT_COLUMNS = [
  "visit_id",
  "patient_id",
  "visit_time",
  "systolic_mmhg",
  "diastolic_mmhg",
  "respiration_per_min",
  "heart_rate_bpm",
  "spo2_percent",
  "temperature_c",
  "weight_kg",
  "bmi",
] as const;

export interface Patient {
  readonly id: string;
  readonly sex: "F" | "M";
  readonly birthYear: number;
  readonly heightCm: number;
  /** Each patient's own baselines, around which their visits vary. */
  readonly base: {
    readonly systolic: number;
    readonly heartRate: number;
    readonly weightKg: number;
    readonly spo2: number;
  };
}

export function makePatient(random: Random, index: number): Patient {
  const sex = random.next() < 0.5 ? "F" : "M";
  const heightCm = round(clamp(random.normal(sex === "F" ? 163 : 176, 7), 140, 205), 1);
  const bmi = clamp(random.normal(26, 4.5), 17, 45);
  return {
    id: `P${String(index + 1).padStart(6, "0")}`,
    sex,
    birthYear: random.integer(1935, 2006),
    heightCm,
    base: {
      systolic: clamp(random.normal(125, 14), 95, 175),
      heartRate: clamp(random.normal(72, 9), 50, 105),
      weightKg: bmi * (heightCm / 100) ** 2,
      spo2: clamp(random.normal(97.5, 1), 93, MAX_SPO2),
    },
  };
}

export interface Visit {
  readonly id: string;
  readonly patientId: string;
  readonly time: Date;
  readonly systolic: number;
  readonly diastolic: number;
  readonly respiration: number;
  readonly heartRate: number;
  readonly spo2: number;
  readonly temperature: number;
  readonly weightKg: number;
  readonly bmi: number;
}

export function makeVisit(random: Random, patient: Patient, index: number, time: Date): Visit {
  const systolic = Math.round(clamp(random.normal(patient.base.systolic, 8), 85, 200));
  // Pulse pressure (systolic minus diastolic) is usually 30 to 60 mmHg.
  const pulsePressure = clamp(random.normal(44, 9), MIN_PULSE_PRESSURE, 80);
  const diastolic = Math.round(
    clamp(systolic - pulsePressure, 40, Math.min(MAX_DIASTOLIC, systolic - MIN_PULSE_PRESSURE)),
  );
  const weightKg = round(clamp(random.normal(patient.base.weightKg, 1.2), 35, 250), 1);
  return {
    id: `V${String(index + 1).padStart(9, "0")}`,
    patientId: patient.id,
    time,
    systolic,
    diastolic,
    respiration: Math.round(clamp(random.normal(15, 2.5), 8, 30)),
    heartRate: Math.round(clamp(random.normal(patient.base.heartRate, 7), 40, 160)),
    spo2: round(clamp(random.normal(patient.base.spo2, 0.7), 85, MAX_SPO2), 1),
    temperature: round(clamp(random.normal(36.8, 0.35), 35.5, 40.5), 1),
    weightKg,
    bmi: round(weightKg / (patient.heightCm / 100) ** 2, 1),
  };
}

export interface GenerateOptions {
  readonly patients: number;
  readonly visits: number;
  readonly seed: number;
  /** The first visit's time; visits follow every few minutes of clinic hours. */
  readonly start?: Date;
}

const ROWS_PER_WRITE = 2000;

async function write(stream: Writable, text: string): Promise<void> {
  if (!stream.write(text)) await once(stream, "drain");
}

/**
 * Writes the patients, then the visits in time order. Only the patients (a few numbers each) are
 * kept in memory; visits go out in batches as they are made.
 */
export async function generate(
  options: GenerateOptions,
  patientsOut: Writable,
  visitsOut: Writable,
): Promise<{ patients: number; visits: number }> {
  const random = new Random(options.seed);
  const patients = Array.from({ length: options.patients }, (_, i) => makePatient(random, i));
  let text = `${PATIENT_COLUMNS.join(",")}\n`;
  for (const p of patients) text += `${p.id},${p.sex},${p.birthYear},${p.heightCm}\n`;
  await write(patientsOut, text);

  let time = (options.start ?? new Date(Date.UTC(2025, 0, 6, 8))).getTime();
  text = `${VISIT_COLUMNS.join(",")}\n`;
  for (let i = 0; i < options.visits; i++) {
    time += random.integer(1, 30) * 60_000;
    const hour = new Date(time).getUTCHours();
    if (hour >= 18) time += (24 - hour + 8) * 3_600_000; // the clinic opens again at 08:00
    const patient = patients[Math.floor(random.next() * patients.length)];
    const v = makeVisit(random, patient, i, new Date(time));
    text += `${v.id},${v.patientId},${v.time.toISOString()},${v.systolic},${v.diastolic},${v.respiration},${v.heartRate},${v.spo2},${v.temperature},${v.weightKg},${v.bmi}\n`;
    if ((i + 1) % ROWS_PER_WRITE === 0) {
      await write(visitsOut, text);
      text = "";
    }
  }
  if (text) await write(visitsOut, text);
  return { patients: patients.length, visits: options.visits };
}
