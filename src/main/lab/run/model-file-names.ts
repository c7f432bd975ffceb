// The file names of a saved TF.js layers model, without TF.js, for code that only names the files.
export const MODEL_JSON = 'model.json';
export const WEIGHTS_BIN = 'weights.bin';
