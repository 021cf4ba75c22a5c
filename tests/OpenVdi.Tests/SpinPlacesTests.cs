using OpenVdi.Transport;

namespace OpenVdi.Tests;

/// <summary>
/// Who spins before sleeping (<see cref="SpinPlaces"/>): a single-device set on two processors spins, which spares the
/// server a wake-up per command; a set with more device threads than processors never does, which would starve the
/// server; and never more spinners than processors but one.
/// </summary>
public class SpinPlacesTests
{
    [Fact]
    public void On_two_processors_one_device_spins_and_a_second_spinner_sleeps()
    {
        var places = new SpinPlaces(processors: 2);

        Assert.True(places.TryEnter(deviceCount: 1), "A one-device set's waiter spins on two processors.");
        Assert.False(places.TryEnter(deviceCount: 1), "The second processor belongs to the server.");
        places.Leave();
        Assert.True(places.TryEnter(deviceCount: 1), "A place given back is free again.");
    }

    [Theory]
    [InlineData(2, 2)]
    [InlineData(2, 4)]
    [InlineData(8, 8)]
    [InlineData(1, 1)]
    public void A_set_whose_device_threads_and_a_server_thread_do_not_fit_never_spins(int processors, int devices)
    {
        var places = new SpinPlaces(processors);

        Assert.False(places.TryEnter(devices), $"{devices} device threads and the server's on {processors} processors: spinning steals the server's time.");
    }

    [Fact]
    public void At_most_all_processors_but_one_spin_at_once()
    {
        var places = new SpinPlaces(processors: 8);

        int entered = Enumerable.Range(0, 20).Count(_ => places.TryEnter(deviceCount: 4));

        Assert.Equal(7, entered);
        Assert.Equal(7, places.Max);
    }
}
