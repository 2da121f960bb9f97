// SPDX-License-Identifier: GPL-2.0
/*
 * A module that misbehaves on purpose, to prove that tests/vm/run turns
 * kernel problem reports into failures. Never load it outside the test VM.
 */
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

static char *what = "none";
module_param(what, charp, 0444);
MODULE_PARM_DESC(what, "warn, kasan, leak, lockdep or rcu");

static void *splat_leaked;
static DEFINE_MUTEX(splat_a);
static DEFINE_MUTEX(splat_b);
static int __rcu *splat_rcu_ptr;

static int __init splat_init(void)
{
	if (!strcmp(what, "warn")) {
		WARN(1, "splat: deliberate warning\n");
	} else if (!strcmp(what, "kasan")) {
		char *p = kmalloc(8, GFP_KERNEL);

		if (!p)
			return -ENOMEM;
		pr_info("splat: reading past a kmalloc(8): %d\n", READ_ONCE(p[8]));
		kfree(p);
	} else if (!strcmp(what, "leak")) {
		/*
		 * vmalloc: a stale copy of a kmalloc pointer left in a
		 * neighbouring slab object would hide the leak from kmemleak.
		 */
		splat_leaked = vmalloc(PAGE_SIZE);
		/* forget the pointer: the area leaks */
		splat_leaked = (void *)((unsigned long)splat_leaked ^ ~0UL);
	} else if (!strcmp(what, "lockdep")) {
		/* a then b, later b then a: lockdep reports a possible deadlock */
		mutex_lock(&splat_a);
		mutex_lock(&splat_b);
		mutex_unlock(&splat_b);
		mutex_unlock(&splat_a);
		mutex_lock(&splat_b);
		mutex_lock(&splat_a);
		mutex_unlock(&splat_a);
		mutex_unlock(&splat_b);
	} else if (!strcmp(what, "rcu")) {
		/* an RCU pointer read outside rcu_read_lock() */
		pr_info("splat: %p\n", rcu_dereference(splat_rcu_ptr));
	}
	return 0;
}

static void __exit splat_exit(void)
{
}

module_init(splat_init);
module_exit(splat_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("svcnet test harness self-test");
