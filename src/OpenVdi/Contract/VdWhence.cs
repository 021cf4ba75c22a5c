namespace OpenVdi;

/// <summary>The origin of a VDC_SetPosition on a random-access device, carried in the command's <c>size</c>.</summary>
public enum VdWhence : uint
{
    /// <summary>From the start of the data.</summary>
    VDC_Beginning = 0,

    /// <summary>From the current position.</summary>
    VDC_Current = 1,

    /// <summary>From the end of the data.</summary>
    VDC_End = 2,
}
