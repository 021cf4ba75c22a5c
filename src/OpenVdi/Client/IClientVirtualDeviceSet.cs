namespace OpenVdi;

/// <summary>The client's virtual device set, version 1 (<c>IClientVirtualDeviceSet</c>).</summary>
/// <remarks>
/// Implementations: OpenVdi's transport (<see cref="ClientVirtualDeviceSet"/>) and Microsoft's library (the
/// OpenVdi.SqlServer assembly's <c>VirtualDeviceSets.Create</c>). Disposing an object closes its set if one is open
/// (as <see cref="Close"/>) and releases what the object holds.
/// </remarks>
public interface IClientVirtualDeviceSet : IDisposable
{
    /// <summary>
    /// Deprecated form of <see cref="IClientVirtualDeviceSet2.CreateEx"/>: the instance comes from the environment
    /// variable <c>_VIRTUAL_SERVER_NAME_</c>, or is the default instance.
    /// </summary>
    /// <returns>As <see cref="IClientVirtualDeviceSet2.CreateEx"/>.</returns>
    VdiResult Create(string name, in VdConfig config);

    /// <summary>
    /// Waits until the server has configured the set and returns the final configuration (server outputs filled
    /// in, features with VDF_WriteMedia or VDF_ReadMedia added). Returns at once when already configured.
    /// </summary>
    /// <returns>
    /// <see cref="VdiResult.NOERROR"/>; <see cref="VdiResult.VD_E_TIMEOUT"/> when the server has not finished in
    /// time; <see cref="VdiResult.VD_E_ABORT"/>; <see cref="VdiResult.VD_E_PROTOCOL"/> when no set is open.
    /// </returns>
    VdiResult GetConfiguration(uint timeoutMs, out VdConfig config);

    /// <summary>
    /// Opens the device named <paramref name="name"/>: the first device has the set's name, the others the names
    /// of the statement's later VIRTUAL_DEVICE clauses. Each device opens once across all processes of the set.
    /// </summary>
    /// <returns>
    /// <see cref="VdiResult.NOERROR"/>; <see cref="VdiResult.VD_E_OPEN"/> when every device is already open;
    /// <see cref="VdiResult.VD_E_PROTOCOL"/> before GetConfiguration succeeded, after the set ended, or when this
    /// device is already open; <see cref="VdiResult.VD_E_INVALID"/> for a name that is not a device of the set;
    /// <see cref="VdiResult.VD_E_ABORT"/>.
    /// </returns>
    VdiResult OpenDevice(string name, out IClientVirtualDevice? device);

    /// <summary>
    /// Releases the set and everything it returned. Call it after every device returned VD_E_CLOSE, or after an
    /// abort once buffer use stopped. The object can then create a new set.
    /// </summary>
    /// <returns>
    /// <see cref="VdiResult.NOERROR"/>; <see cref="VdiResult.VD_E_OPEN"/> when devices were still open (the set is
    /// aborted, and released all the same); <see cref="VdiResult.VD_E_PROTOCOL"/> when no set is open.
    /// </returns>
    VdiResult Close();

    /// <summary>Aborts the set: every wait returns VD_E_ABORT and outstanding commands complete with 995 at the server.</summary>
    /// <returns><see cref="VdiResult.NOERROR"/>; <see cref="VdiResult.VD_E_PROTOCOL"/> when no set is open.</returns>
    VdiResult SignalAbort();

    /// <summary>Attaches this object, in a secondary process, to the default instance's set <paramref name="setName"/>.</summary>
    /// <returns>As <see cref="IClientVirtualDeviceSet2.OpenInSecondaryEx"/>.</returns>
    VdiResult OpenInSecondary(string setName);

    /// <summary>
    /// Turns the buffer address of a VDC_Read or VDC_Write command delivered in this set into a 32-bit handle that any
    /// process attached to the set can map. The caller becomes responsible for completing the command.
    /// </summary>
    /// <returns>
    /// <see cref="VdiResult.NOERROR"/>; <see cref="VdiResult.VD_E_PROTOCOL"/> when the set is not open;
    /// <see cref="VdiResult.VD_E_INVALID"/> for any other address.
    /// </returns>
    VdiResult GetBufferHandle(nint buffer, out uint bufferHandle);

    /// <summary>
    /// Maps a handle from <see cref="GetBufferHandle"/>, taken in any process of this set, to this process's address
    /// of the buffer (usually a different address showing the same bytes). A handle lives until its command completes.
    /// </summary>
    /// <returns>
    /// <see cref="VdiResult.NOERROR"/>; <see cref="VdiResult.VD_E_PROTOCOL"/> when the set is not open;
    /// <see cref="VdiResult.VD_E_INVALID"/> for anything but a live handle of this set (another set's handle, a handle
    /// whose command completed or whose buffer was freed).
    /// </returns>
    VdiResult MapBufferHandle(uint bufferHandle, out nint buffer);
}
