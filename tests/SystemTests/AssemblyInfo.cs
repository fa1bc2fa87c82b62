// The system tests start real processes and spend most of their time waiting: on session timeouts, outages and
// rebalances. Two classes run at once, so one's waits overlap another's (the suite took 4.5 minutes one class at a
// time); each deployment has its own broker and its own ports (FreePorts never hands a port out twice), and every wait
// is on a signal with a deadline, so a class slowed by its neighbour still passes.
[assembly: CollectionBehavior(MaxParallelThreads = 2)]
