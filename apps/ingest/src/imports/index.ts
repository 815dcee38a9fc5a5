export * from './csv-import.service';
export * from './imports.controller';
export * from './imports.metrics';
export * from './import.store';
