import { BlockList, isIP } from 'node:net';

/**
 * MYNUM-2 (特記4: 取扱区域): the terminals from which 特定個人情報 may be handled, declared as
 * network ranges before work starts. A 個人番号 read from any other address is refused; an
 * undeclared area admits nobody (fail closed), so a forgotten setting never opens the numbers.
 */
export interface HandlingArea {
  /** The declared ranges as written ("10.20.0.0/16", "::1/128"): shown in refusals and reports. */
  ranges: readonly string[];
  contains(address: string | undefined): boolean;
}

/** "a.b.c.d/n" or "ipv6/n"; a bare address is a single host. Throws with the entry's text when it is not one. */
export function parseRange(entry: string): { address: string; prefix: number; family: 'ipv4' | 'ipv6' } {
  const [address, bits, extra] = entry.trim().split('/');
  const version = isIP(address ?? '');
  if (!version || extra !== undefined) throw new Error(`"${entry}" is not an address or address/prefix`);
  const max = version === 4 ? 32 : 128;
  const prefix = bits === undefined ? max : Number(bits);
  if (!Number.isInteger(prefix) || prefix < 0 || prefix > max || (bits !== undefined && !/^\d{1,3}$/.test(bits))) throw new Error(`"${entry}": the prefix must be 0–${max}`);
  return { address, prefix, family: version === 4 ? 'ipv4' : 'ipv6' };
}

export function handlingArea(ranges: readonly string[]): HandlingArea {
  const list = new BlockList();
  for (const r of ranges) {
    const { address, prefix, family } = parseRange(r);
    list.addSubnet(address, prefix, family);
  }
  return {
    ranges,
    contains(address) {
      if (!address) return false;
      // An IPv4 client on a dual-stack socket arrives as ::ffff:a.b.c.d: judge it by its IPv4 address.
      const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
      const plain = mapped ? mapped[1] : address;
      const version = isIP(plain);
      return version !== 0 && list.check(plain, version === 4 ? 'ipv4' : 'ipv6');
    },
  };
}

/** The refusal's words: why, never which number. */
export const OUTSIDE_AREA = (terminal: string | undefined) => `取扱区域の外の端末 (${terminal ?? '不明'}) からは個人番号を扱えません (MYNUM-2)`;
export const AREA_UNDECLARED = '取扱区域が宣言されていないため、個人番号を扱えません (MYNUM-2: MYNUMBER_HANDLING_AREA)';

/** Whether a terminal may handle a 個人番号 (before who the person is is even asked). */
export function terminalClearance(area: HandlingArea, terminal: string | undefined): { cleared: true } | { cleared: false; reason: string } {
  if (area.ranges.length === 0) return { cleared: false, reason: AREA_UNDECLARED };
  return area.contains(terminal) ? { cleared: true } : { cleared: false, reason: OUTSIDE_AREA(terminal) };
}
