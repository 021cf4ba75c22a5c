using OpenVdi.SqlServer.TestPeer;

namespace OpenVdi.SqlServer.Tests.Infrastructure;

/// <summary>The implementations every contract test runs against.</summary>
public static class Implementations
{
    /// <summary>OpenVdi's client, the Linux binding over the drop-in, the COM binding over the stand-in.</summary>
    public static TheoryData<ClientImplementation> All => new(Enum.GetValues<ClientImplementation>());

    /// <summary>Every implementation with every one of <paramref name="cases"/>.</summary>
    public static TheoryData<ClientImplementation, T> Each<T>(params T[] cases)
    {
        var data = new TheoryData<ClientImplementation, T>();
        foreach (var implementation in Enum.GetValues<ClientImplementation>())
        {
            foreach (var value in cases)
            {
                data.Add(implementation, value);
            }
        }

        return data;
    }

    /// <summary>Every implementation with every one of <paramref name="cases"/>.</summary>
    public static TheoryData<ClientImplementation, T1, T2> Each<T1, T2>(params (T1, T2)[] cases)
    {
        var data = new TheoryData<ClientImplementation, T1, T2>();
        foreach (var implementation in Enum.GetValues<ClientImplementation>())
        {
            foreach (var (first, second) in cases)
            {
                data.Add(implementation, first, second);
            }
        }

        return data;
    }

    /// <summary>Every implementation with every one of <paramref name="cases"/>.</summary>
    public static TheoryData<ClientImplementation, T1, T2, T3> Each<T1, T2, T3>(params (T1, T2, T3)[] cases)
    {
        var data = new TheoryData<ClientImplementation, T1, T2, T3>();
        foreach (var implementation in Enum.GetValues<ClientImplementation>())
        {
            foreach (var (first, second, third) in cases)
            {
                data.Add(implementation, first, second, third);
            }
        }

        return data;
    }
}
