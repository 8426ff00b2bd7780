import { add } from "./lib/util.js";
console.log(add(1, 2));
