import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import type { DataConverter, Payload, PayloadCodec } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import type { MyNumberKeyring } from './keyring';

const ENCODING = 'binary/encrypted';
const KEY_ID = 'encryption-key-id';
const enc = new TextEncoder();
const dec = new TextDecoder();

/**
 * SEC-1: every Temporal payload (inputs, results, signals, queries, failure
 * messages) is sealed with AES-256-GCM before it leaves the process, so the
 * Temporal server and its database only ever hold ciphertext. Whole payloads
 * are sealed (metadata included), as in Temporal's encryption sample. Keys are
 * derived (HKDF) from the same configured keys as the ledger's, under another
 * label, so one rotation covers both and neither key is used for two purposes.
 * Payloads without our encoding pass through: histories from before the codec
 * still replay.
 */
export class AesGcmPayloadCodec implements PayloadCodec {
  private readonly keys = new Map<string, Buffer>();

  constructor(private readonly keyring: MyNumberKeyring) {
    for (const [id, key] of keyring.keys) this.keys.set(id, Buffer.from(hkdfSync('sha256', key, Buffer.alloc(0), 'furusato-ops temporal payloads', 32)));
  }

  async encode(payloads: Payload[]): Promise<Payload[]> {
    const keyId = this.keyring.activeKeyId;
    const key = this.keys.get(keyId)!;
    return payloads.map((p) => {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      const clear = temporal.api.common.v1.Payload.encode(p).finish();
      const sealed = Buffer.concat([iv, cipher.update(clear), cipher.final(), cipher.getAuthTag()]);
      return { metadata: { encoding: enc.encode(ENCODING), [KEY_ID]: enc.encode(keyId) }, data: new Uint8Array(sealed) };
    });
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((p) => {
      if (!p.metadata || dec.decode(p.metadata.encoding ?? new Uint8Array()) !== ENCODING) return p;
      const keyId = dec.decode(p.metadata[KEY_ID] ?? new Uint8Array());
      const key = this.keys.get(keyId);
      if (!key) throw new Error(`payload sealed with key ${keyId}, which is not configured (MY_NUMBER_KEYS)`);
      const data = Buffer.from(p.data ?? new Uint8Array());
      const decipher = createDecipheriv('aes-256-gcm', key, data.subarray(0, 12));
      decipher.setAuthTag(data.subarray(data.length - 16));
      const clear = Buffer.concat([decipher.update(data.subarray(12, data.length - 16)), decipher.final()]);
      return temporal.api.common.v1.Payload.decode(clear) as Payload;
    });
  }
}

/** The one data converter for every client and worker of this system (they must agree). */
export function temporalDataConverter(keyring: MyNumberKeyring): DataConverter {
  return { payloadCodecs: [new AesGcmPayloadCodec(keyring)], failureConverterPath: require.resolve('./failure-converter') };
}

/** For bundleWorkflowCode: the workflow sandbox loads the failure converter from the bundle. */
export const FAILURE_CONVERTER_PATH = (): string => require.resolve('./failure-converter');
