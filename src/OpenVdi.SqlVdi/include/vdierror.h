/*
 * vdierror.h: the result codes of SQL Server's Virtual Device Interface on Linux, for clients of OpenVdi's
 * libsqlvdi.so (and of any library with the same ABI).
 *
 * Written for OpenVdi from the documented values: every error is MAKE_HRESULT(SEVERITY_ERROR, 0x77, code), an
 * int whose value is 0x8077xxxx; success is NOERROR (0). See docs/sqlvdi.md.
 */
#ifndef OPENVDI_VDIERROR_H
#define OPENVDI_VDIERROR_H

/* On Linux the codes are plain ints: MAKE_HRESULT builds an int, not a Windows HRESULT. */
#ifndef MAKE_HRESULT
#define MAKE_HRESULT(sev, fac, code) \
    ((int)(((unsigned int)(sev) << 31) | ((unsigned int)(fac) << 16) | ((unsigned int)(code))))
#endif

#ifndef SEVERITY_ERROR
#define SEVERITY_ERROR 1
#endif

#ifndef NOERROR
#define NOERROR 0
#endif

#define VD_ERROR(code) MAKE_HRESULT(SEVERITY_ERROR, 0x77, code)

#define VD_E_NOTOPEN       VD_ERROR(2)  /* 0x80770002: the object is not open */
#define VD_E_TIMEOUT       VD_ERROR(3)  /* 0x80770003: the wait's timeout elapsed */
#define VD_E_ABORT         VD_ERROR(4)  /* 0x80770004: the set is aborting; only Close makes sense */
#define VD_E_SECURITY      VD_ERROR(5)  /* 0x80770005: the shared memory could not be secured */
#define VD_E_INVALID       VD_ERROR(6)  /* 0x80770006: an invalid parameter */
#define VD_E_INSTANCE_NAME VD_ERROR(7)  /* 0x80770007: the instance name is not recognised */
#define VD_E_NOTSUPPORTED  VD_ERROR(9)  /* 0x80770009: the configuration is not supported */
#define VD_E_MEMORY        VD_ERROR(10) /* 0x8077000A: out of memory */
#define VD_E_UNEXPECTED    VD_ERROR(11) /* 0x8077000B: an internal error */
#define VD_E_PROTOCOL      VD_ERROR(12) /* 0x8077000C: the call is not valid in the current state */
#define VD_E_OPEN          VD_ERROR(13) /* 0x8077000D: every device is open, or devices are still open */
#define VD_E_CLOSE         VD_ERROR(14) /* 0x8077000E: the device was closed: its normal end */
#define VD_E_BUSY          VD_ERROR(15) /* 0x8077000F: the resource is busy */

#endif /* OPENVDI_VDIERROR_H */
