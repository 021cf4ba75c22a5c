using System.Runtime.InteropServices;
using System.Text;
using OpenVdi.SqlServer.Binding;
using OpenVdi.SqlVdi.Abi;

namespace OpenVdi.SqlServer.Linux;

/// <summary>
/// A <c>ClientVirtualDeviceSet</c> of libsqlvdi.so (<see cref="LibSqlVdi"/>). Names go as NUL-terminated UTF-8 (a
/// string with an unpaired surrogate, which is not text, is VD_E_INVALID),
/// timeouts as <c>time_t</c> milliseconds with <see cref="VdiTimeout.Infinite"/> as -1 (the header's "negative waits
/// forever"). Linux has no named instances: CreateEx and OpenInSecondaryEx accept the default instance only (null,
/// empty or MSSQLSERVER, its name) and answer VD_E_INSTANCE_NAME for any other, without calling the library.
/// </summary>
internal sealed unsafe class LinuxSqlVdiSet : INativeSet
{
    /// <summary>The name SQL Server gives its default instance, the only one Linux has.</summary>
    private const string DefaultInstanceName = "MSSQLSERVER";

    private static readonly UTF8Encoding s_strictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly SqlVdiSetHandle _object;

    private LinuxSqlVdiSet(SqlVdiSetHandle setObject, string library)
    {
        _object = setObject;
        Description = $"Microsoft's Linux VDI library ({library})";
    }

    public string Description { get; }

    /// <summary>Loads the library if needed (<see cref="SqlVdiLibrary.Load"/>) and constructs a set object in it.</summary>
    /// <exception cref="VdiLibraryLoadException">No libsqlvdi.so could be loaded.</exception>
    public static LinuxSqlVdiSet Construct(string? libraryPath)
    {
        string library = SqlVdiLibrary.Load(libraryPath);
        return new LinuxSqlVdiSet(SqlVdiSetHandle.Construct(), library);
    }

    public VdiResult Create(string name, ref VdConfig config)
    {
        if (Utf8(name) is not { } bytes)
        {
            return VdiResult.VD_E_INVALID;
        }

        fixed (byte* utf8 = bytes)
        fixed (VdConfig* pointer = &config)
        {
            return Result(LibSqlVdi.Create(Self, utf8, pointer));
        }
    }

    public VdiResult CreateEx(string? instanceName, string name, ref VdConfig config) =>
        IsDefaultInstance(instanceName) ? Create(name, ref config) : VdiResult.VD_E_INSTANCE_NAME;

    public VdiResult GetConfiguration(uint timeoutMs, out VdConfig config)
    {
        VdConfig answer = default;
        var result = Result(LibSqlVdi.GetConfiguration(Self, LinuxTimeout.FromVdiTimeout(timeoutMs), &answer));
        config = answer;
        return result;
    }

    public VdiResult OpenDevice(string name, out INativeDevice? device)
    {
        nint opened = 0;
        device = null;
        if (Utf8(name) is not { } bytes)
        {
            return VdiResult.VD_E_INVALID;
        }

        VdiResult result;
        fixed (byte* utf8 = bytes)
        {
            result = Result(LibSqlVdi.OpenDevice(Self, utf8, &opened));
        }

        device = result == VdiResult.NOERROR && opened != 0 ? new LinuxSqlVdiDevice(opened) : null;
        return result == VdiResult.NOERROR && opened == 0 ? VdiResult.VD_E_UNEXPECTED : result;
    }

    public VdiResult Close() => Result(LibSqlVdi.Close(Self));

    public VdiResult SignalAbort() => Result(LibSqlVdi.SignalAbort(Self));

    public VdiResult OpenInSecondary(string setName)
    {
        if (Utf8(setName) is not { } bytes)
        {
            return VdiResult.VD_E_INVALID;
        }

        fixed (byte* utf8 = bytes)
        {
            return Result(LibSqlVdi.OpenInSecondary(Self, utf8));
        }
    }

    public VdiResult OpenInSecondaryEx(string? instanceName, string setName) =>
        IsDefaultInstance(instanceName) ? OpenInSecondary(setName) : VdiResult.VD_E_INSTANCE_NAME;

    public VdiResult GetBufferHandle(nint buffer, out uint bufferHandle)
    {
        uint handle = 0;
        var result = Result(LibSqlVdi.GetBufferHandle(Self, (byte*)buffer, &handle));
        bufferHandle = handle;
        return result;
    }

    public VdiResult MapBufferHandle(uint bufferHandle, out nint buffer)
    {
        byte* address = null;
        var result = Result(LibSqlVdi.MapBufferHandle(Self, unchecked((int)bufferHandle), &address));
        buffer = (nint)address;
        return result;
    }

    /// <summary>Close, D1 and free the object (see <see cref="SqlVdiSetHandle"/>).</summary>
    public void Dispose() => _object.Dispose();

    /// <summary>The library's int answer as the documented HRESULT.</summary>
    internal static VdiResult Result(int answer) => (VdiResult)unchecked((uint)answer);

    private static bool IsDefaultInstance(string? instanceName) =>
        string.IsNullOrEmpty(instanceName) || string.Equals(instanceName, DefaultInstanceName, StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// The header's <c>char*</c>: UTF-8 with a NUL terminator (the caller refused names holding a NUL); null for a
    /// string that is not text (an unpaired surrogate), which UTF-8 cannot carry and a lenient encoder would replace
    /// with U+FFFD, naming another set.
    /// </summary>
    private static byte[]? Utf8(string text)
    {
        try
        {
            var bytes = new byte[s_strictUtf8.GetByteCount(text) + 1];
            s_strictUtf8.GetBytes(text, bytes);
            return bytes;
        }
        catch (EncoderFallbackException)
        {
            return null;
        }
    }

    // SAFETY: the caller keeps the object alive during every call (NativeClientVirtualDeviceSet counts calls in flight
    // and disposes after the last), so the handle is the constructed object.
    private nint Self => _object.DangerousGetHandle();
}
