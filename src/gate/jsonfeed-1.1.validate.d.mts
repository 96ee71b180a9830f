/** The JSON Feed 1.1 schema check, compiled ahead of time (see scripts/generate-json-feed-validator.ts). */
export interface ValidationError {
  instancePath: string;
  message?: string;
}

declare const validate: {
  (data: unknown): boolean;
  errors?: ValidationError[] | null;
};
export default validate;
