// LabError: the one error type that crosses every boundary (IPC, WebSocket, CLI) as { code, message, field? }.

export type LabErrorCode =
  | 'invalid_argument'
  | 'permission_denied'
  | 'not_found'
  | 'conflict'
  | 'failed_precondition'
  | 'unsupported'
  | 'io_error'
  | 'corrupt_data'
  | 'engine_error'
  | 'cancelled'
  | 'internal';

export interface LabErrorShape {
  code: LabErrorCode;
  message: string;
  field?: string;
}

export class LabError extends Error {
  readonly code: LabErrorCode;
  readonly field?: string;

  constructor(code: LabErrorCode, message: string, field?: string) {
    super(message);
    this.name = 'LabError';
    this.code = code;
    if (field !== undefined) this.field = field;
  }

  toJSON(): LabErrorShape {
    return this.field === undefined ? { code: this.code, message: this.message } : { code: this.code, message: this.message, field: this.field };
  }

  static from(shape: LabErrorShape): LabError {
    return new LabError(shape.code, shape.message, shape.field);
  }

  /** Wraps anything thrown into a LabError without losing a LabError's code and field. */
  static wrap(err: unknown, code: LabErrorCode = 'internal'): LabError {
    if (err instanceof LabError) return err;
    return new LabError(code, err instanceof Error ? err.message : String(err));
  }
}

export type Envelope<T> = { ok: true; result: T } | { ok: false; error: LabErrorShape };
