using System.Globalization;
using System.Runtime.InteropServices;
using System.Runtime.Versioning;

namespace OpenVdi.SqlServer.Windows;

/// <summary>
/// Activates sqlvdi.dll's client set the documented way: <c>CoCreateInstance(CLSID_MSSQL_ClientVirtualDeviceSet,
/// NULL, CLSCTX_INPROC_SERVER, IID_IClientVirtualDeviceSet2, …)</c> on a thread of the multithreaded apartment (spec
/// §3.1). Untested here: it needs Windows with SQL Server's VDI registered (docs/real-sql-server.md).
/// </summary>
[SupportedOSPlatform("windows")]
internal static partial class SqlVdiActivation
{
    private const uint InProcessServer = 0x1;
    private const int ClassNotRegistered = unchecked((int)0x80040154);
    private const int ClassNotAvailable = unchecked((int)0x80040111);
    private const int AccessDenied = unchecked((int)0x80070005);

    private static readonly Guid s_clientVirtualDeviceSet2 = new(SqlVdiGuids.ClientVirtualDeviceSet2);

    /// <summary>A set object of the class <paramref name="classId"/>.</summary>
    /// <exception cref="VdiLibraryLoadException">COM could not create it; <see cref="Exception.HResult"/> says why.</exception>
    public static ComSqlVdiSet Activate(Guid classId)
    {
        nint unknown = 0;
        int hresult = 0;
        if (Thread.CurrentThread.GetApartmentState() == ApartmentState.STA)
        {
            // VDI's clients must be multithreaded (COINIT_MULTITHREADED): activate on a thread of that apartment, so the
            // object is not bound to this single-threaded one.
            var activation = new Thread(() => hresult = CoCreateInstance(classId, 0, InProcessServer, s_clientVirtualDeviceSet2, out unknown));
            activation.SetApartmentState(ApartmentState.MTA);
            activation.Start();
            activation.Join();
        }
        else
        {
            hresult = CoCreateInstance(classId, 0, InProcessServer, s_clientVirtualDeviceSet2, out unknown);
        }

        if (hresult < 0 || unknown == 0)
        {
            throw new VdiLibraryLoadException(Explain(classId, hresult), hresult);
        }

        try
        {
            return ComSqlVdiSet.FromUnknown(unknown, $"Microsoft's VDI library (sqlvdi.dll, COM class {classId:B})");
        }
        finally
        {
            Marshal.Release(unknown);
        }
    }

    private static string Explain(Guid classId, int hresult)
    {
        string bits = Environment.Is64BitProcess ? "64-bit" : "32-bit";
        string code = string.Create(CultureInfo.InvariantCulture, $"0x{hresult:X8}");
        return hresult switch
        {
            ClassNotRegistered =>
                $"The VDI COM class {classId:B} is not registered for this {bits} process ({code}, REGDB_E_CLASSNOTREG). " +
                $"sqlvdi.dll is registered by SQL Server's setup; a {bits} process needs the {bits} registration " +
                "(regsvr32 on the sqlvdi.dll under Microsoft SQL Server\\<version>\\Shared of the matching Program Files).",
            ClassNotAvailable =>
                $"The VDI COM class {classId:B} is registered but not available ({code}, CLASS_E_CLASSNOTAVAILABLE); " +
                "run the program elevated, as an account that is a SQL Server sysadmin.",
            AccessDenied => $"Activating the VDI COM class {classId:B} was denied ({code}, E_ACCESSDENIED); run the program elevated.",
            _ => $"Activating the VDI COM class {classId:B} failed with {code}.",
        };
    }

    [LibraryImport("ole32.dll")]
    private static partial int CoCreateInstance(in Guid classId, nint outer, uint context, in Guid interfaceId, out nint unknown);
}
