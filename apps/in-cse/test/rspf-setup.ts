// The MEF and m2msec-enrol as processes: shared with the MN-CSE tests, so they live in test-support.
export { enrolCli, MEF_FQDN, type MefProcess, startMefProcess } from '@m2msec/test-support';
