/* test_par.c: the thread-count controller of core/lam_par.h on made-up
 * machines. A machine is the wall time one unit of work takes on one thread
 * and on the asked count; the run is ticked after every unit, as lam_sim
 * ticks after every recorded sample. What must hold follows from the costs
 * alone: where threads pay, nearly all the work runs on them; where they
 * are slower (a busy machine), nearly all runs on one thread and the run
 * takes little more than it would on one thread; when the machine changes
 * mid-run, the controller follows within a bounded time. */
#include <criterion/criterion.h>

#include "lam_par.h"

typedef struct machine {
  double c1, cn; /* s per unit of work: one thread, the asked count */
} machine;

typedef struct outcome {
  double wall;      /* s in all */
  double work;      /* units in all */
  double work_n;    /* units done on the asked count */
  double wall_1;    /* s spent on one thread */
  long switches;
} outcome;

/* Continue the run o, ticked by c, for `units` more units of work; the
 * machine is `before` until time t_change, `after` from then on. */
static void run(lam_par_ctl *c, double units, machine before, machine after,
                double t_change, outcome *o) {
  double t = o->wall, w = o->work;
  const double w_end = w + units;
  int now = c->now;
  while (w < w_end) {
    const machine m = t < t_change ? before : after;
    const double cost = now > 1 ? m.cn : m.c1;
    t += cost;
    w += 1.0;
    if (now > 1) {
      o->work_n += 1.0;
    } else {
      o->wall_1 += cost;
    }
    const int n = lam_par_ctl_tick(c, t, w);
    o->switches += n != now;
    now = n;
  }
  o->wall = t;
  o->work = w;
}

static outcome steady(machine m, double units) {
  lam_par_ctl c;
  lam_par_ctl_init(&c, 2, 0.0, 0.0);
  outcome o = {0};
  run(&c, units, m, m, 1e300, &o);
  return o;
}

Test(par, one_thread_asked_never_changes) {
  lam_par_ctl c;
  lam_par_ctl_init(&c, 1, 0.0, 0.0);
  for (int k = 1; k < 10000; k++) {
    cr_assert_eq(lam_par_ctl_tick(&c, 0.01 * k, k), 1);
  }
  lam_par_ctl_init(&c, 0, 0.0, 0.0);
  cr_assert_eq(lam_par_ctl_tick(&c, 10.0, 1e6), 1, "0 means 1");
}

Test(par, free_cores_keep_the_threads) {
  /* 2 threads 1.5x faster (the attention benchmark on free cores), 1 ms of
   * work per unit on 2 threads, 20 s of run. */
  const machine m = {1.5e-3, 1e-3};
  const outcome o = steady(m, 20000);
  cr_assert_geq(o.work_n / 20000, 0.95, "share of the work on 2 threads: %g",
                o.work_n / 20000);
  /* Within 2 % of the run on 2 threads throughout. */
  cr_assert_leq(o.wall, 1.02 * 20000 * m.cn, "%g s against %g s", o.wall, 20000 * m.cn);
}

Test(par, busy_cores_fall_back_to_one_thread) {
  /* 2 threads 20x slower (measured with one core loaded). */
  const machine m = {1e-3, 20e-3};
  const outcome o = steady(m, 20000);
  const double alone = 20000 * m.c1;
  cr_assert_geq(o.wall_1 / o.wall, 0.9, "share of the time on one thread: %g",
                o.wall_1 / o.wall);
  /* The probes of 2 threads cost a few per cent, not the 20x. */
  cr_assert_leq(o.wall, 1.1 * alone, "%g s against %g s on one thread", o.wall, alone);
}

Test(par, no_gain_no_switching_back_and_forth) {
  /* Equal costs: the asked count stays (one thread only when 10 % cheaper). */
  const machine m = {1e-3, 1e-3};
  const outcome o = steady(m, 20000);
  cr_assert_eq(o.wall_1 > 0, 1, "one thread was probed");
  cr_assert_geq(o.work_n / 20000, 0.9, "share on 2 threads: %g", o.work_n / 20000);
}

Test(par, follows_a_machine_that_gets_busy_and_free_again) {
  const machine free = {1.5e-3, 1e-3}, busy = {1e-3, 20e-3};
  lam_par_ctl c;
  lam_par_ctl_init(&c, 2, 0.0, 0.0);
  outcome o = {0};
  /* Free for 5 s, then busy. */
  run(&c, 5000, free, busy, 5.0, &o);
  run(&c, 10000, free, busy, 5.0, &o);
  cr_assert_eq(c.now, 1, "busy: one thread");
  /* The longest hold is 64 windows: after the change, one thread within
   * 64 windows of the new machine plus a probe. */
  const double t_busy = o.wall;
  outcome o2 = o;
  run(&c, 20000, busy, free, t_busy, &o2);
  cr_assert_eq(c.now, 2, "free again: 2 threads");
  cr_assert_gt(o2.work_n - o.work_n, 0.8 * 20000,
               "free again: %g of 20000 units on 2 threads", o2.work_n - o.work_n);
}

Test(par, windows_need_time_and_work) {
  /* Ticks closer than the window, or with almost no work, measure nothing. */
  lam_par_ctl c;
  lam_par_ctl_init(&c, 4, 0.0, 0.0);
  cr_assert_eq(lam_par_ctl_tick(&c, 0.5 * LAM_PAR_WINDOW, 100), 4);
  cr_assert_eq(lam_par_ctl_tick(&c, 10.0, 3), 4, "3 units are too few");
  cr_assert_eq(lam_par_ctl_tick(&c, 10.0 + LAM_PAR_WINDOW, 100), 1,
               "the first full window of 4 threads is followed by a probe of 1");
}

/* threads = 0 from /proc/loadavg's text: the tasks running now, not the
 * lagging one-minute average. */
Test(par, free_cores_from_the_running_count) {
  /* An idle 2-core machine right after another run: load average 1.35,
   * only the reader running: both cores are free. */
  cr_expect_eq(lam_par_free_cores(2, "1.35 1.20 0.90 1/123 4567\n"), 2);
  /* One other process running: one core left. */
  cr_expect_eq(lam_par_free_cores(2, "0.10 0.10 0.10 2/123 4567\n"), 1);
  /* Thirty-one running on 2 cores: one thread, never fewer. */
  cr_expect_eq(lam_par_free_cores(2, "31.0 30.0 29.0 32/300 4567\n"), 1);
  cr_expect_eq(lam_par_free_cores(8, "0.5 0.5 0.5 4/300 4567\n"), 5);
  /* Never more than the cores (a reader not yet counted). */
  cr_expect_eq(lam_par_free_cores(4, "0.0 0.0 0.0 0/300 4567\n"), 4);
  /* Without the running count: the load average, rounded. */
  cr_expect_eq(lam_par_free_cores(4, "1.6"), 2);
  cr_expect_eq(lam_par_free_cores(4, "7.0"), 1);
  /* Nothing readable: all cores. */
  cr_expect_eq(lam_par_free_cores(4, NULL), 4);
  cr_expect_eq(lam_par_free_cores(4, "garbage"), 4);
  cr_expect_eq(lam_par_free_cores(0, NULL), 1);
}
