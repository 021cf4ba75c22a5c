namespace OpenVdi;

/// <summary>The client's virtual device set, version 2 (<c>IClientVirtualDeviceSet2</c>): named instances.</summary>
public interface IClientVirtualDeviceSet2 : IClientVirtualDeviceSet
{
    /// <summary>
    /// Creates the set <paramref name="name"/> for the instance <paramref name="instanceName"/> (null or empty: the
    /// default instance) with the client inputs of <paramref name="config"/>. Call it before the BACKUP or RESTORE
    /// statement is sent: the server opens the set by name.
    /// </summary>
    /// <returns>
    /// <see cref="VdiResult.NOERROR"/>; <see cref="VdiResult.VD_E_NOTSUPPORTED"/> for a device count outside 1..64,
    /// an unsupported feature combination, an alignment that is not a power of two up to 64 KiB, or a prefix zone over
    /// 1 MiB; <see cref="VdiResult.VD_E_PROTOCOL"/> when this object already has a set;
    /// <see cref="VdiResult.VD_E_INSTANCE_NAME"/> for an invalid instance name; <see cref="VdiResult.VD_E_INVALID"/>
    /// for an invalid set name; <see cref="VdiResult.VD_E_BUSY"/> when a live set of that name exists;
    /// <see cref="VdiResult.VD_E_SECURITY"/> or <see cref="VdiResult.VD_E_MEMORY"/> when the segment cannot be made.
    /// </returns>
    VdiResult CreateEx(string? instanceName, string name, in VdConfig config);

    /// <summary>
    /// Attaches this object, in a secondary process, to a set the primary created and whose configuration the
    /// primary already obtained. The secondary may then open devices not opened elsewhere.
    /// </summary>
    /// <returns>
    /// <see cref="VdiResult.NOERROR"/>; <see cref="VdiResult.VD_E_PROTOCOL"/> when this object already has a set, the
    /// set does not exist, or it is not configured yet; <see cref="VdiResult.VD_E_ABORT"/>;
    /// <see cref="VdiResult.VD_E_INSTANCE_NAME"/>; <see cref="VdiResult.VD_E_INVALID"/> for an invalid name.
    /// </returns>
    VdiResult OpenInSecondaryEx(string? instanceName, string setName);
}
