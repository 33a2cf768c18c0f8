/**
 * Healing without storms, every 6 h: 48 simulated hours under each fault that persists
 * (test/support/persistent-fault-suite.ts says what it keeps, docs/rotation-faults.md why).
 */
import { persistentFaultSuite } from "../support/persistent-fault-suite";

persistentFaultSuite(6);
