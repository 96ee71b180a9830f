/** The JSON Feed 1.1 schema check, compiled ahead of time (see scripts/generate-json-feed-validator.ts). */
export interface ValidationError {
  instancePath: string;
  message?: string;
}

export interface Validator {
  (data: unknown): boolean;
  errors?: ValidationError[] | null;
}

/** A whole feed. */
export declare const validate: Validator;
/** One element of a feed's `items` (the schema's `properties.items.items`). */
export declare const validateItem: Validator;
