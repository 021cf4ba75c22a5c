namespace OpenVdi;

/// <summary>The server's virtual device set (<c>IServerVirtualDeviceSet2</c>): the interface SQL Server uses.</summary>
public interface IServerVirtualDeviceSet2
{
    /// <summary>Opens the set <paramref name="setName"/> that a client created for <paramref name="instanceName"/>.</summary>
    /// <returns>
    /// <see cref="VdiResult.NOERROR"/>; <see cref="VdiResult.VD_E_INVALID"/> when no live, unconnected set of that name
    /// exists; <see cref="VdiResult.VD_E_INSTANCE_NAME"/>; <see cref="VdiResult.VD_E_PROTOCOL"/> when this object
    /// already has a set; <see cref="VdiResult.VD_E_ABORT"/>; <see cref="VdiResult.VD_E_SECURITY"/>.
    /// </returns>
    VdiResult Open(string? instanceName, string setName);

    /// <summary>The client's requested configuration (before EndConfiguration) or the final one (after).</summary>
    /// <returns><see cref="VdiResult.NOERROR"/>; <see cref="VdiResult.VD_E_ABORT"/>; <see cref="VdiResult.VD_E_PROTOCOL"/> without a set.</returns>
    VdiResult GetConfiguration(out VdConfig config);

    /// <summary>
    /// Starts configuring: <paramref name="features"/> is the client's mask plus VDF_WriteMedia and/or VDF_ReadMedia
    /// (and VDF_CompleteEnabled when the client asked with VDF_RequestComplete); <paramref name="blockSize"/> a power of
    /// two 512..65536; <paramref name="alignment"/> 0 (= block size) or a power of two from the block size to 64 KiB;
    /// <paramref name="maxTransferSize"/> a multiple of 64 KiB up to 4 MiB. <paramref name="timeoutMs"/> is accepted
    /// and unused (it waited for a client buffer declaration no public API has).
    /// </summary>
    /// <returns>
    /// <see cref="VdiResult.NOERROR"/>; <see cref="VdiResult.VD_E_INVALID"/> for a value outside those rules;
    /// <see cref="VdiResult.VD_E_PROTOCOL"/> unless just opened; <see cref="VdiResult.VD_E_ABORT"/>.
    /// </returns>
    VdiResult BeginConfiguration(VdFeatures features, uint blockSize, uint alignment, uint maxTransferSize, uint timeoutMs);

    /// <summary>Makes the buffer area and releases the client's GetConfiguration.</summary>
    /// <returns>
    /// <see cref="VdiResult.NOERROR"/>; <see cref="VdiResult.VD_E_MEMORY"/> when the area cannot be made (the set stays
    /// configurable with no buffers declared); <see cref="VdiResult.VD_E_PROTOCOL"/>; <see cref="VdiResult.VD_E_ABORT"/>;
    /// <see cref="VdiResult.VD_E_UNEXPECTED"/> when the shared segment is corrupt (the set aborts).
    /// </returns>
    VdiResult EndConfiguration();

    /// <summary>
    /// Declares <paramref name="count"/> buffers of <paramref name="size"/> data bytes at <paramref name="alignment"/>
    /// (0: the set's alignment). While configuring they are made at EndConfiguration; afterwards at once.
    /// </summary>
    /// <returns>
    /// <see cref="VdiResult.NOERROR"/>; <see cref="VdiResult.VD_E_MEMORY"/>; <see cref="VdiResult.VD_E_INVALID"/> for a zero
    /// size or count or a bad alignment; <see cref="VdiResult.VD_E_PROTOCOL"/>; <see cref="VdiResult.VD_E_ABORT"/>.
    /// </returns>
    VdiResult RequestBuffers(uint size, uint alignment, uint count);

    /// <summary>How many buffers of at least <paramref name="size"/> bytes at <paramref name="alignment"/> can still be allocated (declared ones included).</summary>
    /// <returns><see cref="VdiResult.NOERROR"/>; <see cref="VdiResult.VD_E_PROTOCOL"/>; <see cref="VdiResult.VD_E_ABORT"/>.</returns>
    VdiResult QueryAvailableBuffers(uint size, uint alignment, out uint count);

    /// <summary>
    /// Lends the calling thread to VDI as the completion agent: it runs each command's completion routine as the client
    /// completes it, and returns when every device is closed and every command completed, on abort (after completing
    /// every outstanding command with ERROR_OPERATION_ABORTED, also when the abort came before the agent started), or
    /// on Close.
    /// </summary>
    /// <returns>
    /// <see cref="VdiResult.NOERROR"/> on normal termination or Close; <see cref="VdiResult.VD_E_ABORT"/> when the set
    /// aborted; <see cref="VdiResult.VD_E_PROTOCOL"/> before EndConfiguration or when an agent already runs.
    /// </returns>
    VdiResult ExecuteCompletionAgent();

    /// <summary>
    /// Opens the next device, naming it <paramref name="name"/> (the statement's VIRTUAL_DEVICE clause): the set's own
    /// name is the first device, other names take the next free device.
    /// </summary>
    /// <returns>
    /// <see cref="VdiResult.NOERROR"/>; <see cref="VdiResult.VD_E_OPEN"/> when every device is open;
    /// <see cref="VdiResult.VD_E_INVALID"/> for an invalid or duplicate name, or when only the set-named device is left
    /// and another name is given; <see cref="VdiResult.VD_E_PROTOCOL"/> before EndConfiguration;
    /// <see cref="VdiResult.VD_E_ABORT"/>; <see cref="VdiResult.VD_E_UNEXPECTED"/> when the shared segment is corrupt (the set aborts).
    /// </returns>
    VdiResult OpenDevice(string name, out IServerVirtualDevice? device);

    /// <summary>
    /// Takes a buffer of at least <paramref name="size"/> bytes whose data starts at a multiple of
    /// <paramref name="alignment"/> (a power of two up to 64 KiB; 0: the set's); the client's prefix zone lies just
    /// before it.
    /// </summary>
    /// <returns>
    /// <see cref="VdiResult.NOERROR"/>; <see cref="VdiResult.VD_E_MEMORY"/> when no free buffer fits;
    /// <see cref="VdiResult.VD_E_INVALID"/>; <see cref="VdiResult.VD_E_PROTOCOL"/>; <see cref="VdiResult.VD_E_ABORT"/>.
    /// </returns>
    VdiResult AllocateBuffer(out nint buffer, uint size, uint alignment);

    /// <summary>Returns a buffer; <paramref name="size"/> must be the size it was allocated with.</summary>
    /// <returns>
    /// <see cref="VdiResult.NOERROR"/>; <see cref="VdiResult.VD_E_INVALID"/> for an address that is not an allocated
    /// buffer, another size, or a buffer still with the client; <see cref="VdiResult.VD_E_PROTOCOL"/>.
    /// </returns>
    VdiResult FreeBuffer(nint buffer, uint size);

    /// <summary>Whether <paramref name="buffer"/> points into a data zone of this set's shared buffers (documented TRUE/FALSE).</summary>
    bool IsSharedBuffer(nint buffer);

    /// <summary>Aborts the set: the agent completes every outstanding command with ERROR_OPERATION_ABORTED and returns.</summary>
    /// <returns><see cref="VdiResult.NOERROR"/>; <see cref="VdiResult.VD_E_PROTOCOL"/> without a set.</returns>
    VdiResult SignalAbort();

    /// <summary>
    /// Releases the set. With devices still open it aborts first (outstanding commands complete with
    /// ERROR_OPERATION_ABORTED) and unmaps at once.
    /// </summary>
    /// <returns>
    /// <see cref="VdiResult.NOERROR"/>; <see cref="VdiResult.VD_E_PROTOCOL"/> when devices were open (released all the
    /// same) or no set is open.
    /// </returns>
    VdiResult Close();
}
