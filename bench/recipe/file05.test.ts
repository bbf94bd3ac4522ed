import { suiteFile } from "./suite";

suiteFile("file05");
