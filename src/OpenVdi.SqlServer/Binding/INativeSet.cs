namespace OpenVdi.SqlServer.Binding;

/// <summary>
/// One object of Microsoft's library (a <c>ClientVirtualDeviceSet</c> of libsqlvdi.so, a COM object of sqlvdi.dll),
/// its members as the library answers them, with arguments in .NET types. <see cref="NativeClientVirtualDeviceSet"/>
/// keeps the managed state around these calls; an implementation only translates (strings, timeouts, lifetimes).
/// </summary>
/// <remarks>
/// No member is called after <see cref="IDisposable.Dispose"/>, nor while it runs: the caller counts calls in flight
/// and disposes after the last one.
/// </remarks>
internal interface INativeSet : IDisposable
{
    /// <summary>Which library, for messages.</summary>
    string Description { get; }

    VdiResult Create(string name, ref VdConfig config);

    VdiResult CreateEx(string? instanceName, string name, ref VdConfig config);

    VdiResult GetConfiguration(uint timeoutMs, out VdConfig config);

    /// <summary>OpenDevice; <paramref name="device"/> is set exactly when the result is NOERROR.</summary>
    VdiResult OpenDevice(string name, out INativeDevice? device);

    VdiResult Close();

    VdiResult SignalAbort();

    VdiResult OpenInSecondary(string setName);

    VdiResult OpenInSecondaryEx(string? instanceName, string setName);

    VdiResult GetBufferHandle(nint buffer, out uint bufferHandle);

    VdiResult MapBufferHandle(uint bufferHandle, out nint buffer);
}
