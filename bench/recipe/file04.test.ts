import { suiteFile } from "./suite";

suiteFile("file04");
