/* fault.c — the x86 page-fault handler (Linux 3.2 arch/x86/mm/fault.c:
 * do_page_fault, vmalloc_fault, spurious_fault, bad_area*, access_error,
 * mm_fault_error, no_context) and the CPU's memory accesses through
 * virtual addresses (kmm_access), which take #PF as the hardware does.
 */
#include <signal.h>
#include <string.h>
#include "mmu_internal.h"

#define FAULT_RETRY_LIMIT 8

void kmm_set_user_sp(struct kmm *k, unsigned int cpu, vaddr_t sp)
{
	if (cpu >= k->cfg.nr_cpus)
		kmm_bug(k, "fault", "CPU %u of %u", cpu, k->cfg.nr_cpus);
	MMU(k)->cpu[cpu].user_sp = sp;
}

const struct fault_stats *kmm_fault_stats(const struct kmm *k)
{
	return &MMU(k)->fstats;
}

/* i386 vmalloc_fault: sync this directory's PMD entry from swapper_pg_dir
 * for a vmalloc address; 0 when the access can be retried */
static int vmalloc_fault(struct kmm *k, unsigned int cpu, vaddr_t address)
{
	const struct kmm_layout *l = &k->layout;

	if (!(address >= l->vmalloc_start && address < l->vmalloc_end))
		return -1;
	ptep_t pmd_k = vmalloc_sync_one(k, read_cr3(k, cpu), address);
	if (!pmd_k)
		return -1;
	pteval_t v = pte_get(k, pmd_k);
	if (v & _PAGE_PSE)
		return 0;
	if (!pte_present(pte_get(k, pte_offset(k, v, address))))
		return -1;
	MMU(k)->fstats.vmalloc_faults++;
	return 0;
}

static bool spurious_fault_check(unsigned int error_code, pteval_t v)
{
	if ((error_code & PF_WRITE) && !(v & _PAGE_RW))
		return false;
	if ((error_code & PF_INSTR) && (v & _PAGE_NX))
		return false;
	return true;
}

/* a kernel fault the page tables already allow: a stale TLB entry, which
 * the fault itself has dropped */
static bool spurious_fault(struct kmm *k, unsigned int error_code,
			   vaddr_t address)
{
	if (error_code & (PF_USER | PF_RSVD))
		return false;
	ptep_t pmd = pmd_offset(k, MMU(k)->swapper_pa, address);
	if (!pmd)
		return false;
	pteval_t v = pte_get(k, pmd);
	if (!(v & _PAGE_PRESENT))
		return false;
	if (v & _PAGE_PSE)
		return spurious_fault_check(error_code, v);
	pteval_t pte = pte_get(k, pte_offset(k, v, address));
	if (!pte_present(pte) || !spurious_fault_check(error_code, pte))
		return false;
	return spurious_fault_check(error_code, v);
}

/* no_context: the exception table, or an oops */
static enum kmm_outcome no_context(struct kmm *k, unsigned int cpu,
				   vaddr_t address, unsigned int error_code,
				   unsigned int acc)
{
	if (acc & KMM_ACC_UACCESS) {
		MMU(k)->fstats.efault++;
		return KMM_EFAULT;
	}
	bool large;
	ptep_t ep = lookup_address(k, address, &large);
	bool nx = (error_code & PF_INSTR) && ep && (pte_get(k, ep) & _PAGE_NX);
	kmm_bug(k, "fault",
		"BUG: unable to handle kernel %s at %08x\n%s"
		"IP: [kernel] on CPU %u, error_code 0x%x (%s %s, %s mode)",
		address < PAGE_SIZE ? "NULL pointer dereference" : "paging request",
		address,
		nx ? "kernel tried to execute NX-protected page - exploit attempt?\n" : "",
		cpu, error_code, error_code & PF_PROT ? "protection" : "not-present",
		error_code & PF_INSTR ? "fetch" : error_code & PF_WRITE ? "write" : "read",
		error_code & PF_USER ? "user" : "kernel");
}

static enum kmm_outcome bad_area(struct kmm *k, unsigned int cpu,
				 vaddr_t address, unsigned int error_code,
				 unsigned int acc, int si_code,
				 struct kmm_access_result *r)
{
	if (error_code & PF_USER) {
		MMU(k)->fstats.sigsegv++;
		if (r)
			r->si_code = si_code;
		return KMM_SIGSEGV;
	}
	return no_context(k, cpu, address, error_code, acc);
}

/* access_error: 3.2 does not look at PF_INSTR; an exec of a present NX
 * page fails as a read with PF_PROT */
static bool access_error(unsigned int error_code, bool write,
			 const struct vm_area_struct *vma)
{
	if (write)
		return !(vma->vm_flags & VM_WRITE);
	if (error_code & PF_PROT)
		return true;
	return !(vma->vm_flags & (VM_READ | VM_EXEC | VM_WRITE));
}

static enum kmm_outcome mm_fault_error(struct kmm *k, unsigned int cpu,
				       vaddr_t address, unsigned int error_code,
				       unsigned int acc, int fault,
				       struct kmm_access_result *r)
{
	if (!(error_code & PF_USER))
		return no_context(k, cpu, address, error_code, acc);
	if (fault & VM_FAULT_OOM) {             /* pagefault_out_of_memory */
		MMU(k)->fstats.oom++;
		return KMM_OOM;
	}
	MMU(k)->fstats.sigbus++;
	if (r)
		r->si_code = BUS_ADRERR;
	return KMM_SIGBUS;
}

enum kmm_outcome do_page_fault(struct kmm *k, unsigned int cpu, vaddr_t address,
			       unsigned int error_code, unsigned int acc,
			       struct kmm_access_result *r)
{
	struct fault_stats *st = &MMU(k)->fstats;
	struct mm_struct *mm = cpu_mm(k, cpu);

	st->faults++;
	if (error_code & PF_USER)
		st->user_faults++;
	else
		st->kernel_faults++;
	if (address >= TASK_SIZE) {             /* fault_in_kernel_space */
		if (!(error_code & (PF_RSVD | PF_USER | PF_PROT)) &&
		    vmalloc_fault(k, cpu, address) >= 0)
			return KMM_OK;
		if (spurious_fault(k, error_code, address)) {
			st->spurious++;
			return KMM_OK;
		}
		return bad_area(k, cpu, address, error_code, acc, SEGV_MAPERR, r);
	}
	if (error_code & PF_RSVD)               /* pgtable_bad */
		kmm_bug(k, "fault", "Bad pagetable: %08x at 0x%08x on CPU %u",
			error_code, address, cpu);
	if (!mm)
		return bad_area(k, cpu, address, error_code, acc, SEGV_MAPERR, r);
	struct vm_area_struct *vma = find_vma(mm, address);
	if (!vma)
		return bad_area(k, cpu, address, error_code, acc, SEGV_MAPERR, r);
	if (vma->vm_start > address) {
		if (!(vma->vm_flags & VM_GROWSDOWN))
			return bad_area(k, cpu, address, error_code, acc,
					SEGV_MAPERR, r);
		/* accessing the stack below %sp is a bug, beyond the cushion
		 * of enter/pusha */
		if ((error_code & PF_USER) &&
		    address + 65536 + 32 * 4 < MMU(k)->cpu[cpu].user_sp)
			return bad_area(k, cpu, address, error_code, acc,
					SEGV_MAPERR, r);
		if (expand_stack(k, vma, address))
			return bad_area(k, cpu, address, error_code, acc,
					SEGV_MAPERR, r);
		st->stack_growth++;
	}
	bool write = error_code & PF_WRITE;
	if (access_error(error_code, write, vma))
		return bad_area(k, cpu, address, error_code, acc, SEGV_ACCERR, r);
	int fault = handle_mm_fault(k, mm, vma, address,
				    write ? FAULT_FLAG_WRITE : 0);
	if (fault & VM_FAULT_ERROR)
		return mm_fault_error(k, cpu, address, error_code, acc, fault, r);
	return KMM_OK;
}

enum kmm_outcome kmm_access(struct kmm *k, unsigned int cpu, vaddr_t va,
			    void *buf, size_t len, unsigned int acc,
			    struct kmm_access_result *r)
{
	struct kmm_access_result local;
	const unsigned int hw = acc & (KMM_ACC_WRITE | KMM_ACC_EXEC | KMM_ACC_USER);
	unsigned int saved = k->cpu;
	uint8_t *b = buf;
	enum kmm_outcome out = KMM_OK;

	if (!r)
		r = &local;
	memset(r, 0, sizeof(*r));
	if (cpu >= k->cfg.nr_cpus)
		kmm_bug(k, "fault", "access on CPU %u of %u", cpu, k->cfg.nr_cpus);
	if ((acc & KMM_ACC_UACCESS) && (acc & KMM_ACC_USER))
		kmm_bug(k, "fault", "a user-mode access cannot be a uaccess");
	k->cpu = cpu;   /* the fault handler runs on this CPU */
	while (r->done < len) {
		vaddr_t a = va + (vaddr_t)r->done;
		size_t n = PAGE_SIZE - (a & (PAGE_SIZE - 1));
		phys_addr_t pa;
		if (n > len - r->done)
			n = len - r->done;
		for (unsigned int tries = 0;; tries++) {
			unsigned int err;
			if (tlb_translate(k, cpu, a, hw, &pa, &err))
				break;
			if (tries == FAULT_RETRY_LIMIT)
				kmm_bug(k, "fault",
					"0x%08x faults forever on CPU %u (error_code 0x%x): "
					"the handler returns without fixing it", a, cpu, err);
			r->faults++;
			r->addr = a;
			r->error_code = err;
			out = do_page_fault(k, cpu, a, err, acc, r);
			if (out != KMM_OK)
				goto done;
		}
		if (acc & KMM_ACC_WRITE) {
			uint8_t zero[PAGE_SIZE];
			if (!b)
				memset(zero, 0, n);
			phys_write(k, pa, b ? b + r->done : zero, n);
		} else if (b) {
			phys_read(k, pa, b + r->done, n);
		}
		r->done += n;
	}
done:
	r->outcome = out;
	k->cpu = saved;
	return out;
}
