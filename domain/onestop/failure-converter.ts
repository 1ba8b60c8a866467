import { DefaultFailureConverter } from '@temporalio/common';

/**
 * SEC-1: failure messages and stack traces travel as an encoded payload, so
 * the PayloadCodec encrypts them like any argument. Loaded by path into the
 * workflow bundle (failureConverterPath) and used by clients and workers.
 */
export const failureConverter = new DefaultFailureConverter({ encodeCommonAttributes: true });
