/* lam_h5vfd.c: the descriptor driver of lam_h5vfd.h, modelled on HDF5
 * 1.10's sec2 driver (H5FDsec2.c): positioned reads and writes, reads past
 * the end of file return zeros, the file is extended to its end of
 * allocation when HDF5 truncates it.
 *
 * The driver class is registered once per lam_h5vfd (not once per process)
 * so that there is no process-wide state; HDF5 copies the class. The
 * property list carries a pointer to the lam_h5vfd, where the failure is
 * recorded. Callbacks call no HDF5 API function that would clear HDF5's
 * error stack, except H5Pget_driver_info in open, before anything failed.
 */
#include "lam_h5vfd.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct lam_h5vfd {
  int fd;
  int err; /* errno of the first failure */
  hid_t driver;
};

typedef struct info {
  lam_h5vfd *v;
} info;

typedef struct fdfile {
  H5FD_t pub; /* first: HDF5 casts between the two */
  lam_h5vfd *v;
  haddr_t eoa, eof;
  dev_t dev;
  ino_t ino;
} fdfile;

/* The largest address an off_t can reach. */
#define MAXADDR ((haddr_t)(((uint64_t)1 << 62) - 1))

static void fail(lam_h5vfd *v, int e) {
  if (!v->err) {
    v->err = e ? e : EIO;
  }
}

static H5FD_t *fd_open(const char *name, unsigned flags, hid_t fapl,
                       haddr_t maxaddr) {
  (void)name;
  (void)maxaddr;
  const info *in = H5Pget_driver_info(fapl);
  if (!in || !in->v) {
    return NULL;
  }
  struct stat st;
  if (fstat(in->v->fd, &st) != 0) {
    return NULL;
  }
  if ((flags & H5F_ACC_TRUNC) && st.st_size != 0) {
    if (ftruncate(in->v->fd, 0) != 0) {
      return NULL;
    }
    st.st_size = 0;
  }
  fdfile *f = calloc(1, sizeof *f);
  if (!f) {
    return NULL;
  }
  f->v = in->v;
  f->eof = (haddr_t)st.st_size;
  f->dev = st.st_dev;
  f->ino = st.st_ino;
  return &f->pub;
}

static herr_t fd_close(H5FD_t *file) {
  free(file); /* the descriptor belongs to lam_outfile */
  return 0;
}

static int fd_cmp(const H5FD_t *a, const H5FD_t *b) {
  const fdfile *x = (const fdfile *)a, *y = (const fdfile *)b;
  if (x->dev != y->dev) {
    return x->dev < y->dev ? -1 : 1;
  }
  if (x->ino != y->ino) {
    return x->ino < y->ino ? -1 : 1;
  }
  return 0;
}

static herr_t fd_query(const H5FD_t *file, unsigned long *flags) {
  (void)file;
  /* What sec2 declares: HDF5 may aggregate and cache small writes. */
  *flags = H5FD_FEAT_AGGREGATE_METADATA | H5FD_FEAT_ACCUMULATE_METADATA |
           H5FD_FEAT_DATA_SIEVE | H5FD_FEAT_AGGREGATE_SMALLDATA |
           H5FD_FEAT_DEFAULT_VFD_COMPATIBLE;
  return 0;
}

static haddr_t fd_get_eoa(const H5FD_t *file, H5FD_mem_t type) {
  (void)type;
  return ((const fdfile *)file)->eoa;
}

static herr_t fd_set_eoa(H5FD_t *file, H5FD_mem_t type, haddr_t addr) {
  (void)type;
  ((fdfile *)file)->eoa = addr;
  return 0;
}

static haddr_t fd_get_eof(const H5FD_t *file, H5FD_mem_t type) {
  (void)type;
  return ((const fdfile *)file)->eof;
}

static herr_t fd_get_handle(H5FD_t *file, hid_t fapl, void **handle) {
  (void)fapl;
  *handle = &((fdfile *)file)->v->fd;
  return 0;
}

static herr_t fd_read(H5FD_t *file, H5FD_mem_t type, hid_t dxpl, haddr_t addr,
                      size_t size, void *buf) {
  (void)type;
  (void)dxpl;
  fdfile *f = (fdfile *)file;
  unsigned char *p = buf;
  if (addr == HADDR_UNDEF || addr > MAXADDR || size > MAXADDR - addr) {
    return -1;
  }
  while (size > 0) {
    ssize_t n = pread(f->v->fd, p, size, (off_t)addr);
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n < 0) {
      return -1;
    }
    if (n == 0) { /* past the end of file: zeros, as sec2 */
      memset(p, 0, size);
      break;
    }
    p += n;
    addr += (haddr_t)n;
    size -= (size_t)n;
  }
  return 0;
}

/* After the first failure every write is dropped but reported as done:
 * HDF5 can then close the file and free everything (see lam_h5vfd.h). */
static herr_t fd_write(H5FD_t *file, H5FD_mem_t type, hid_t dxpl, haddr_t addr,
                       size_t size, const void *buf) {
  (void)type;
  (void)dxpl;
  fdfile *f = (fdfile *)file;
  if (addr == HADDR_UNDEF || addr > MAXADDR || size > MAXADDR - addr) {
    fail(f->v, EFBIG);
    return 0;
  }
  const unsigned char *p = buf;
  haddr_t a = addr;
  size_t left = size;
  while (left > 0 && !f->v->err) {
    ssize_t n = pwrite(f->v->fd, p, left, (off_t)a);
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n <= 0) {
      fail(f->v, n < 0 ? errno : EIO);
      break;
    }
    p += n;
    a += (haddr_t)n;
    left -= (size_t)n;
  }
  if (addr + size > f->eof) {
    f->eof = addr + size;
  }
  return 0;
}

static herr_t fd_truncate(H5FD_t *file, hid_t dxpl, hbool_t closing) {
  (void)dxpl;
  (void)closing;
  fdfile *f = (fdfile *)file;
  if (f->eoa != f->eof) {
    if (!f->v->err && ftruncate(f->v->fd, (off_t)f->eoa) != 0) {
      fail(f->v, errno);
    }
    f->eof = f->eoa;
  }
  return 0;
}

static const H5FD_class_t fd_class = {
    "lam_fd",         /* name */
    MAXADDR,          /* maxaddr */
    H5F_CLOSE_WEAK,   /* fc_degree */
    NULL,             /* terminate */
    NULL,             /* sb_size */
    NULL,             /* sb_encode */
    NULL,             /* sb_decode */
    sizeof(info),     /* fapl_size */
    NULL,             /* fapl_get */
    NULL,             /* fapl_copy */
    NULL,             /* fapl_free */
    0,                /* dxpl_size */
    NULL,             /* dxpl_copy */
    NULL,             /* dxpl_free */
    fd_open,          /* open */
    fd_close,         /* close */
    fd_cmp,           /* cmp */
    fd_query,         /* query */
    NULL,             /* get_type_map */
    NULL,             /* alloc */
    NULL,             /* free */
    fd_get_eoa,       /* get_eoa */
    fd_set_eoa,       /* set_eoa */
    fd_get_eof,       /* get_eof */
    fd_get_handle,    /* get_handle */
    fd_read,          /* read */
    fd_write,         /* write */
    NULL,             /* flush */
    fd_truncate,      /* truncate */
    NULL,             /* lock */
    NULL,             /* unlock */
    H5FD_FLMAP_DICHOTOMY};

int lam_h5vfd_new(int fd, lam_h5vfd **out, lam_err *err) {
  *out = NULL;
  lam_h5vfd *v = calloc(1, sizeof *v);
  if (!v) {
    return LAM_NOMEM(err);
  }
  v->fd = fd;
  v->driver = H5FDregister(&fd_class);
  if (v->driver < 0) {
    free(v);
    H5Eclear2(H5E_DEFAULT);
    return lam_err_set(err, LAM_EINTERNAL, "HDF5 refused laminar's file driver");
  }
  *out = v;
  return LAM_OK;
}

hid_t lam_h5vfd_fapl(lam_h5vfd *v) {
  hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
  info in = {v};
  if (fapl >= 0 && H5Pset_driver(fapl, v->driver, &in) < 0) {
    H5Pclose(fapl);
    return -1;
  }
  return fapl;
}

int lam_h5vfd_errno(const lam_h5vfd *v) { return v ? v->err : 0; }

void lam_h5vfd_free(lam_h5vfd *v) {
  if (!v) {
    return;
  }
  H5FDunregister(v->driver);
  H5Eclear2(H5E_DEFAULT);
  free(v);
}
