namespace OpenVdi.SqlServer.Windows;

/// <summary>The GUIDs of Microsoft's <c>vdiguid.h</c> that the client half uses (spec §2.1).</summary>
internal static class SqlVdiGuids
{
    /// <summary><c>IID_IClientVirtualDevice</c>.</summary>
    public const string ClientVirtualDevice = "40700424-0080-11d2-851f-00c04fc21759";

    /// <summary>
    /// <c>IID_IClientVirtualDeviceSet</c>; <c>CLSID_MSSQL_ClientVirtualDeviceSet</c> is defined as the same value.
    /// </summary>
    public const string ClientVirtualDeviceSet = "40700425-0080-11d2-851f-00c04fc21759";

    /// <summary><c>IID_IClientVirtualDeviceSet2</c>.</summary>
    public const string ClientVirtualDeviceSet2 = "d0e6eb07-7a62-11d2-8573-00c04fc21759";

    /// <summary><c>CLSID_MSSQL_ClientVirtualDeviceSet</c>: the class SQL Server's setup registers for sqlvdi.dll.</summary>
    public static readonly Guid ClientVirtualDeviceSetClass = new(ClientVirtualDeviceSet);
}
