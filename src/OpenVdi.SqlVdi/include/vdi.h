/*
 * vdi.h: the client half of SQL Server's Virtual Device Interface on Linux, as a C++ client sees it.
 *
 * Written for OpenVdi from the documented declarations, so that a client can be compiled without Microsoft's
 * SDK: the same structures (same sizes and offsets on x86-64), the same values, and the same two classes with
 * the same members, so the same mangled names. A program compiled against this header links with Microsoft's
 * libsqlvdi.so or with OpenVdi's drop-in (docs/sqlvdi.md), and one compiled against Microsoft's header links
 * with either as well.
 *
 * Timeouts are milliseconds; a negative timeout waits forever. Names are NUL-terminated UTF-8.
 */
#ifndef OPENVDI_VDI_H
#define OPENVDI_VDI_H

#include <stdint.h>
#include <time.h>

#include "vdierror.h"

#pragma pack(push, 8)

extern "C" {

/* Completion codes a client passes to CompleteCommand (Win32 values). */
#define ERROR_SUCCESS           0
#define ERROR_ARENA_TRASHED     7
#define ERROR_HANDLE_EOF        38
#define ERROR_HANDLE_DISK_FULL  39
#define ERROR_NOT_SUPPORTED     50
#define ERROR_DISK_FULL         112
#define ERROR_OPERATION_ABORTED 995

/* The set's configuration: the client fills the first seven fields, the server the last four. 44 bytes. */
struct VDConfig
{
    uint32_t deviceCount;           /* 1 to 64 */
    uint32_t features;              /* VDFeatures */
    uint32_t prefixZoneSize;
    uint32_t alignment;
    uint32_t softFileMarkBlockSize;
    uint32_t EOMWarningSize;
    uint32_t serverTimeOut;
    uint32_t blockSize;             /* server output */
    uint32_t maxIODepth;            /* server output */
    uint32_t maxTransferSize;       /* server output */
    uint32_t bufferAreaSize;        /* server output */
};

enum VDFeatures
{
    VDF_Removable = 0x1,
    VDF_Rewind = 0x02,
    VDF_Position = 0x10,
    VDF_SkipBlocks = 0x20,
    VDF_ReversePosition = 0x40,
    VDF_Discard = 0x80,
    VDF_FileMarks = 0x100,
    VDF_RandomAccess = 0x200,
    VDF_SnapshotPrepare = 0x400,
    VDF_EnumFrozenFiles = 0x800,
    VDF_VSSWriter = 0x1000,
    VDF_RequestComplete = 0x2000,
    VDF_WriteMedia = 0x10000,
    VDF_ReadMedia = 0x20000,
    VDF_CompleteEnabled = 0x40000,
    VDF_LatchStats = 0x80000000,
    VDF_LikePipe = 0,
    VDF_LikeTape = VDF_FileMarks | VDF_Removable | VDF_Rewind | VDF_Position | VDF_SkipBlocks | VDF_ReversePosition,
    VDF_LikeDisk = VDF_RandomAccess
};

enum VDCommands
{
    VDC_Read = 1,
    VDC_Write,
    VDC_ClearError,
    VDC_Rewind,
    VDC_WriteMark,
    VDC_SkipMarks,
    VDC_SkipBlocks,
    VDC_Load,
    VDC_GetPosition,
    VDC_SetPosition,
    VDC_Discard,
    VDC_Flush,
    VDC_Snapshot,
    VDC_MountSnapshot,
    VDC_PrepareToFreeze,
    VDC_FileInfoBegin,
    VDC_FileInfoEnd,
    VDC_GetError,
    VDC_Complete
};

enum VDWhence
{
    VDC_Beginning,
    VDC_Current,
    VDC_End
};

/* A command as the client receives it: read-only, owned by the library from GetCommand to CompleteCommand. */
struct VDC_Command
{
    int32_t commandCode;            /* VDCommands */
    int32_t size;                   /* bytes to move (Read, Write); a count or a VDWhence (others) */
    int64_t position;               /* byte offset (random access) or a position from GetPosition */
    uint8_t* buffer;                /* the shared buffer itself (Read, Write): no copy */
};

/* A command as the server sends it (declared for completeness; a client never sees one). */
struct VDS_Command
{
    int32_t commandCode;
    int32_t size;
    int64_t inPosition;
    int64_t outPosition;
    uint8_t* buffer;
    uint8_t* completionRoutine;
    uint8_t* completionContext;
    int32_t completionCode;
    uint32_t bytesTransferred;
};

} /* extern "C" */

/* One device of a set: returned by ClientVirtualDeviceSet::OpenDevice and owned by the library. */
class ClientVirtualDevice
{
public:
    ClientVirtualDevice();
    ~ClientVirtualDevice();

    /* The next command, waiting up to timeOut ms (negative: forever; 0: poll). NOERROR, VD_E_CLOSE (the device's
       normal end), VD_E_TIMEOUT, VD_E_ABORT, VD_E_PROTOCOL, VD_E_INVALID. */
    int GetCommand(time_t timeOut, VDC_Command** ppCmd);

    /* Completes a command from GetCommand, passing back the very pointer it returned. NOERROR, VD_E_INVALID,
       VD_E_ABORT, VD_E_PROTOCOL. */
    int CompleteCommand(VDC_Command* pCmd, int completionCode, unsigned long bytesTransferred, int64_t position);

private:
    void* m_state;
};

/* A virtual device set, client side. The program allocates it (new, on the stack, or as a member). */
class ClientVirtualDeviceSet
{
public:
    ClientVirtualDeviceSet();
    ~ClientVirtualDeviceSet();

    /* Creates the set before the BACKUP or RESTORE statement is sent. */
    int Create(char* name, VDConfig* cfg);

    /* Waits up to timeout ms (negative: forever) for the server's configuration. */
    int GetConfiguration(time_t timeout, VDConfig* cfg);

    int OpenDevice(char* name, ClientVirtualDevice** ppVirtualDevice);
    int Close();
    int SignalAbort();

    /* In a secondary process: attaches to a set the primary created and configured. */
    int OpenInSecondary(char* setName);

    /* Turns a Read or Write buffer into a handle another process of the set can map, and back. */
    int GetBufferHandle(uint8_t* pBuffer, unsigned int* pBufferHandle);
    int MapBufferHandle(int dwBuffer, uint8_t** ppBuffer);

    void RegisterDeviceClosed();

private:
    void* m_state;
};

#pragma pack(pop)

#if defined(__cplusplus) && __cplusplus >= 201103L && defined(__x86_64__)
static_assert(sizeof(VDConfig) == 44, "VDConfig is 44 bytes");
static_assert(sizeof(VDC_Command) == 24, "VDC_Command is 24 bytes");
static_assert(sizeof(VDS_Command) == 56, "VDS_Command is 56 bytes");
static_assert(sizeof(ClientVirtualDevice) == 8, "ClientVirtualDevice is one pointer");
static_assert(sizeof(ClientVirtualDeviceSet) == 8, "ClientVirtualDeviceSet is one pointer");
#endif

#endif /* OPENVDI_VDI_H */
