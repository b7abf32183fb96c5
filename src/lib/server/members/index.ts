/**
 * Members and joining: the member registry (areas and Bezirksregierungen), contacts, profiles,
 * topics, criteria, the accession workflow and the joint declaration with its signing rounds.
 */
export * from './labels';
export * from './common';
export * from './registry';
export * from './accession';
export * from './declaration';
export { getFile, readStoredFile, MAX_UPLOAD_BYTES, type UploadedFile } from './files';
