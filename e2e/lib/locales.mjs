// The interface strings for the tests: the same reader the build uses (scripts/locales.mjs).
export { t } from '../../scripts/locales.mjs';
