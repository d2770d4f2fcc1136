#!/bin/sh
# A sample job: greets, reports where it runs, writes to both streams, takes a few seconds.
echo "hello from task ${SCHEDULER_TASK_ID:-?} on $(hostname) (pid $$)"
for i in 1 2 3; do
  echo "step $i"
  sleep 1
done
echo "done (this line went to stderr)" >&2
