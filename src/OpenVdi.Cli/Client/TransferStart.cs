namespace OpenVdi.Cli.Client;

/// <summary>A transfer about to start: its set, which stripe file each device serves, and its progress.</summary>
/// <param name="SetName">The virtual device set's name (the first device's).</param>
/// <param name="DeviceNames">The devices' names, in order.</param>
/// <param name="StripeNames">The stripe file each device writes or reads, in the same order.</param>
/// <param name="Monitor">The transfer's progress.</param>
internal sealed record TransferStart(string SetName, IReadOnlyList<string> DeviceNames, IReadOnlyList<string> StripeNames, TransferMonitor Monitor)
{
    /// <summary>
    /// <paramref name="text"/> with every device name replaced by its stripe file's name: the engine names devices
    /// (<c>vdi-6f1c….3</c>), a user knows files (<c>stripe-03.bak</c>).
    /// </summary>
    public string NameStripes(string text)
    {
        if (!text.Contains(SetName, StringComparison.Ordinal))
        {
            return text;
        }

        // Longest names first: the set's name is the start of every other device's name.
        for (int i = DeviceNames.Count - 1; i >= 0; i--)
        {
            text = text.Replace(DeviceNames[i], StripeNames[i], StringComparison.Ordinal);
        }

        return text;
    }
}
