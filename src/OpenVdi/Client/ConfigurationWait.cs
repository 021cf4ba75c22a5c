namespace OpenVdi;

/// <summary>The one pending asynchronous GetConfiguration of a set object (see <see cref="ArmedWait{T}"/>).</summary>
internal sealed class ConfigurationWait : ArmedWait<ConfigurationFetch>
{
    private readonly ClientVirtualDeviceSet _set;

    public ConfigurationWait(ClientVirtualDeviceSet set) => _set = set;

    protected override bool TryFetch(out ConfigurationFetch value)
    {
        var result = _set.GetConfiguration(VdiTimeout.Poll, out var config);
        value = new ConfigurationFetch(result, config);
        return result != VdiResult.VD_E_TIMEOUT;
    }

    protected override bool IsReady() => _set.IsConfigurationSettled;
}

/// <summary>What an asynchronous GetConfiguration of OpenVdi's transport answers: the result, and the configuration on NOERROR.</summary>
internal readonly record struct ConfigurationFetch(VdiResult Result, VdConfig Config);
