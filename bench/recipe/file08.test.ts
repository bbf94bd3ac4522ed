import { suiteFile } from "./suite";

suiteFile("file08");
