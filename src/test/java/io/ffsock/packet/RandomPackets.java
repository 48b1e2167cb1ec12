package io.ffsock.packet;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;

/** Test helper: random but valid values of every codec type, from a seeded {@link Random}. */
final class RandomPackets {
    private final Random random;

    RandomPackets(long seed) {
        this.random = new Random(seed);
    }

    Random random() {
        return random;
    }

    byte[] bytes(int maxLength) {
        byte[] b = new byte[random.nextInt(maxLength + 1)];
        random.nextBytes(b);
        return b;
    }

    Inet4Address inet4() {
        byte[] a = new byte[4];
        random.nextBytes(a);
        try {
            return (Inet4Address) InetAddress.getByAddress(a);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    Inet6Address inet6() {
        byte[] a = new byte[16];
        random.nextBytes(a);
        a[0] = (byte) 0xfd; // a ULA, never an IPv4-mapped address (which Java turns into Inet4Address)
        try {
            return (Inet6Address) InetAddress.getByAddress(a);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    List<Inet4Address> inet4s(int max) {
        List<Inet4Address> out = new ArrayList<>();
        for (int i = random.nextInt(max + 1); i > 0; i--) {
            out.add(inet4());
        }
        return out;
    }

    int u8() {
        return random.nextInt(256);
    }

    int u16() {
        return random.nextInt(0x10000);
    }

    long u32() {
        return random.nextLong() & 0xFFFF_FFFFL;
    }

    /** A type byte outside {@code taken}. */
    int typeOtherThan(Set<Integer> taken) {
        int t;
        do {
            t = u8();
        } while (taken.contains(t));
        return t;
    }

    List<Ipv4Option> options() {
        List<Ipv4Option> out = new ArrayList<>();
        int room = random.nextInt(Ipv4Option.MAX_OPTIONS_LENGTH + 1);
        while (true) {
            Ipv4Option o = switch (random.nextInt(3)) {
                case 0 -> new Ipv4Option.NoOperation();
                case 1 -> new Ipv4Option.RouterAlert(u16());
                default -> new Ipv4Option.Raw(typeOtherThan(Set.of(0, 1, 0x94)), bytes(Math.max(0, room - 2)));
            };
            if (o.length() > room) {
                return out;
            }
            out.add(o);
            room -= o.length();
        }
    }

    Ipv4Header ipv4Header() {
        return new Ipv4Header(u8(), u16(), u16(), random.nextInt(8), random.nextInt(0x2000), u8(), u8(), 0,
                inet4(), inet4(), options());
    }

    QuotedDatagram quote() {
        return random.nextBoolean()
                ? QuotedDatagram.of(ipv4Header(), bytes(16))
                : QuotedDatagram.of(bytes(40));
    }

    IcmpMessage icmp() {
        return switch (random.nextInt(7)) {
            case 0 -> new IcmpEcho(random.nextBoolean(), u16(), u16(), bytes(64));
            case 1 -> {
                int code = random.nextInt(16);
                yield new IcmpDestinationUnreachable(code, code == 4 ? u16() : 0, quote());
            }
            case 2 -> new IcmpTimeExceeded(u8(), quote());
            case 3 -> new IcmpParameterProblem(u8(), u8(), quote());
            case 4 -> new IcmpRedirect(u8(), inet4(), quote());
            case 5 -> new IcmpTimestamp(random.nextBoolean(), u16(), u16(), u32(), u32(), u32());
            default -> random.nextBoolean()
                    ? new IcmpUnknown(typeOtherThan(Set.of(0, 3, 5, 8, 11, 12, 13, 14)), u8(), bytes(40))
                    : new IcmpUnknown(random.nextBoolean() ? 8 : 13, 1 + random.nextInt(255), bytes(40));
        };
    }

    Ipv6Header ipv6Header() {
        return new Ipv6Header(u8(), random.nextInt(0x10_0000), u16(), u8(), u8(), inet6(), inet6());
    }

    /** Half the time a well-formed header and the start of a payload, else any bytes. */
    QuotedIpv6Packet quote6() {
        return random.nextBoolean()
                ? QuotedIpv6Packet.of(ipv6Header(), bytes(40))
                : QuotedIpv6Packet.of(bytes(80));
    }

    List<Inet6Address> inet6s(int max) {
        List<Inet6Address> out = new ArrayList<>();
        for (int i = random.nextInt(max + 1); i > 0; i--) {
            out.add(inet6());
        }
        return out;
    }

    MldAddressRecord mldRecord() {
        byte[] aux = new byte[4 * random.nextInt(3)];
        random.nextBytes(aux);
        return new MldAddressRecord(new IgmpRecordType(random.nextInt(8)), inet6(), inet6s(4), aux);
    }

    Icmpv6Message icmpv6() {
        return switch (random.nextInt(9)) {
            case 0 -> new Icmpv6Echo(random.nextBoolean(), u16(), u16(), bytes(64));
            case 1 -> new Icmpv6DestinationUnreachable(u8(), quote6());
            case 2 -> new Icmpv6PacketTooBig(u32(), quote6());
            case 3 -> new Icmpv6TimeExceeded(u8(), quote6());
            case 4 -> new Icmpv6ParameterProblem(u8(), u32(), quote6());
            case 5 -> new MldV1Message(130 + random.nextInt(3), u16(), inet6());
            case 6 -> new MldV2Query(u16(), inet6(), random.nextBoolean(), random.nextInt(8), u8(), inet6s(4));
            case 7 -> {
                List<MldAddressRecord> records = new ArrayList<>();
                for (int i = random.nextInt(4); i > 0; i--) {
                    records.add(mldRecord());
                }
                yield new MldV2Report(records);
            }
            default -> new Icmpv6Unknown(typeOtherThan(Set.of(1, 2, 3, 4, 128, 129, 130, 131, 132, 143)), u8(), bytes(40));
        };
    }

    IgmpGroupRecord groupRecord() {
        byte[] aux = new byte[4 * random.nextInt(3)];
        random.nextBytes(aux);
        return new IgmpGroupRecord(new IgmpRecordType(random.nextInt(8)), inet4(), inet4s(5), aux);
    }

    IgmpMessage igmp() {
        return switch (random.nextInt(8)) {
            case 0 -> new IgmpV1Query(inet4());
            case 1 -> new IgmpV2Query(1 + random.nextInt(255), inet4());
            case 2 -> new IgmpV3Query(u8(), inet4(), random.nextBoolean(), random.nextInt(8), u8(), inet4s(6));
            case 3 -> new IgmpV1Report(inet4());
            case 4 -> new IgmpV2Report(inet4());
            case 5 -> new IgmpV2Leave(inet4());
            case 6 -> {
                List<IgmpGroupRecord> records = new ArrayList<>();
                for (int i = random.nextInt(4); i > 0; i--) {
                    records.add(groupRecord());
                }
                yield new IgmpV3Report(records);
            }
            default -> {
                byte[] body = new byte[4 + random.nextInt(30)];
                random.nextBytes(body);
                yield new IgmpUnknown(typeOtherThan(Set.of(0x11, 0x12, 0x16, 0x17, 0x22)), u8(), body);
            }
        };
    }
}
