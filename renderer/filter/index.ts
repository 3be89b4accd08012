export { type Bind, type CompiledFilter, compileFilter, type FilterResult, type Pred } from './compile';
export { FIELD_BY_NAME, FIELDS, type FieldDef, type Subject } from './fields';
export { FilterError } from './lexer';
export { type KnownValues, type Suggestion, type Suggestions, suggest } from './suggest';
