/**
 * Made-up people for the demo data set: donors and volunteers with names, ID numbers and phone
 * numbers. None of this may ever reach the chain — only random receipt commitments and keyed
 * pseudonyms do — and the privacy test checks exactly that, against this list.
 */
import { createPrng, type Prng } from "./prng.ts";

export type Person = { name: string; idNumber: string; phone: string; occupation: string };

const SURNAMES = ["王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭"];
const GIVEN = [
  "伟",
  "芳",
  "娜",
  "敏",
  "静",
  "丽",
  "强",
  "磊",
  "军",
  "洋",
  "勇",
  "艳",
  "杰",
  "娟",
  "涛",
  "明",
  "超",
  "秀英",
  "建华",
  "海燕",
];
const OCCUPATIONS = ["外卖骑手", "网约车司机", "快递员", "退休教师", "社区居民", "学生", "企业员工"];
/** GB 11643 check digits: weights 2^(17-i) mod 11, check from sum mod 11. */
const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const ID_CHECK = "10X98765432";

function idNumber(prng: Prng): string {
  const region = "110105";
  const year = 1950 + prng.int(55);
  const month = String(1 + prng.int(12)).padStart(2, "0");
  const day = String(1 + prng.int(28)).padStart(2, "0");
  const serial = String(prng.int(1000)).padStart(3, "0");
  const first17 = `${region}${year}${month}${day}${serial}`;
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * (ID_WEIGHTS[i] as number);
  return first17 + ID_CHECK[sum % 11];
}

export function demoPersons(seed: number, count: number): Person[] {
  const prng = createPrng(seed);
  return Array.from({ length: count }, () => ({
    name: prng.pick(SURNAMES) + prng.pick(GIVEN),
    idNumber: idNumber(prng),
    phone: `1${3 + prng.int(7)}${String(prng.int(1_000_000_000)).padStart(9, "0")}`,
    occupation: prng.pick(OCCUPATIONS),
  }));
}
