// The MAF, its admin CLI and Entity A as processes: shared with the MN-CSE tests, so they live in test-support.
export {
  type EntityAResult,
  MAF_ADMIN_FQDN as ADMIN_FQDN,
  MAF_FQDN,
  type MafProcess,
  runEntityA,
  startMafProcess,
} from '@m2msec/test-support';
