import { suiteFile } from "./suite";

suiteFile("file02");
