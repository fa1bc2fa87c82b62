// The system tests start real processes on real ports. Run one class at a time: on a two-core machine, parallel
// process start-ups only slow each other down and race for the free ports they pick.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
