export { EnvelopeValidationError, isEnvelopeValidationError } from './errors/EnvelopeValidationError.js';
export { isMessagingConfigError, MessagingConfigError } from './errors/MessagingConfigError.js';
