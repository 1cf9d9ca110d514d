export { cairnDataConverter, failureConverterPath } from './data-converter';
export {
  CIPHER,
  CIPHER_METADATA,
  ENCRYPTED_ENCODING,
  EncryptionCodec,
  KEY_ID_METADATA,
  PayloadDecryptionError,
  isEncrypted,
} from './encryption-codec';
export { codecEndpointToken } from './endpoint-token';
export {
  PAYLOAD_KEY_BYTES,
  PayloadKeyError,
  parsePayloadKeys,
  type PayloadKey,
  type PayloadKeyring,
} from './payload-keys';
