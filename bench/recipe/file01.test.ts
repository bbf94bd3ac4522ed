import { suiteFile } from "./suite";

suiteFile("file01");
