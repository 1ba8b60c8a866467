export * from './content';
export * from './images';
export * from './uploads';
export * from './view';
