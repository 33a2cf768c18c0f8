/** One helper for deploy time and run time: it lives in the shared contract. */
export { secretNameFromArn } from "../contract";
