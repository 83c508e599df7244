package io.sklad.metadata;

import com.google.protobuf.ByteString;
import io.grpc.Metadata;
import io.grpc.stub.MetadataUtils;
import io.sklad.proto.v1.AddUserRequest;
import io.sklad.proto.v1.AdminServiceGrpc;
import io.sklad.proto.v1.CopyRequest;
import io.sklad.proto.v1.CreateFileRequest;
import io.sklad.proto.v1.CreateVolumeRequest;
import io.sklad.proto.v1.DeleteRequest;
import io.sklad.proto.v1.ErrorCode;
import io.sklad.proto.v1.GetPropertiesRequest;
import io.sklad.proto.v1.GetVolumeAccessRequest;
import io.sklad.proto.v1.GetVolumeAccessResponse;
import io.sklad.proto.v1.GrantRequest;
import io.sklad.proto.v1.GrantRole;
import io.sklad.proto.v1.LoginRequest;
import io.sklad.proto.v1.NamespaceServiceGrpc;
import io.sklad.proto.v1.Property;
import io.sklad.proto.v1.RenameRequest;
import io.sklad.proto.v1.SetPropertiesRequest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static io.sklad.metadata.MasterFixture.expectError;
import static org.assertj.core.api.Assertions.assertThat;

/** GetProperties / SetProperties / GetVolumeAccess on a real master (H2 file mode). */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PropertiesGrpcTest {

    @TempDir
    static Path dir;
    MasterFixture m;
    NamespaceServiceGrpc.NamespaceServiceBlockingStub reader;

    @BeforeAll
    void start() {
        m = new MasterFixture(dir);
        m.registerNode("n1");
        m.ns().createVolume(CreateVolumeRequest.newBuilder().setName("docs").setReplicas(1).build());
        Metadata h = new Metadata();
        h.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + m.adminLogin.getToken());
        AdminServiceGrpc.AdminServiceBlockingStub admin = AdminServiceGrpc.newBlockingStub(m.channel)
                .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(h)).withDeadlineAfter(30, TimeUnit.SECONDS);
        admin.addUser(AddUserRequest.newBuilder().setName("reader").setPassword("reader-pw").build());
        admin.grant(GrantRequest.newBuilder().setUser("reader").setVolume("docs").setRole(GrantRole.READ_ONLY).build());
        reader = m.ns(m.auth().login(LoginRequest.newBuilder().setUser("reader").setPassword("reader-pw").build())
                .getToken());
    }

    @AfterAll
    void stop() throws Exception {
        m.close();
    }

    private void create(String path) {
        m.ns().createFile(CreateFileRequest.newBuilder().setVolume("docs").setPath(path).build());
    }

    private Map<String, String> props(NamespaceServiceGrpc.NamespaceServiceBlockingStub ns, String path) {
        Map<String, String> out = new LinkedHashMap<>();
        for (Property p : ns.getProperties(GetPropertiesRequest.newBuilder().setVolume("docs").setPath(path).build())
                .getPropertiesList()) {
            out.put(p.getName(), p.getValue().toStringUtf8());
        }
        return out;
    }

    private static Property prop(String name, String value) {
        return Property.newBuilder().setName(name).setValue(ByteString.copyFromUtf8(value)).build();
    }

    private void set(String path, Property... props) {
        SetPropertiesRequest.Builder b = SetPropertiesRequest.newBuilder().setVolume("docs").setPath(path);
        for (Property p : props) {
            b.addSet(p);
        }
        m.ns().setProperties(b.build());
    }

    @Test
    void setReplaceRemoveFollowRenameAndGoWithDelete() {
        create("/a.txt");
        assertThat(props(m.ns(), "/a.txt")).isEmpty();
        set("/a.txt", prop("x", "1"), prop("y", "two"));
        set("/a.txt", prop("x", "one"));
        assertThat(props(m.ns(), "/a.txt")).containsExactly(Map.entry("x", "one"), Map.entry("y", "two"));
        m.ns().setProperties(SetPropertiesRequest.newBuilder().setVolume("docs").setPath("/a.txt")
                .addRemove("y").addRemove("never-set").build());
        assertThat(props(m.ns(), "/a.txt")).containsExactly(Map.entry("x", "one"));

        m.ns().rename(RenameRequest.newBuilder().setVolume("docs").setFromPath("/a.txt").setToPath("/b.txt").build());
        assertThat(props(m.ns(), "/b.txt")).containsExactly(Map.entry("x", "one"));
        // a copy is a new entry: properties are the copier's business (WebDAV COPY copies them itself)
        m.ns().copy(CopyRequest.newBuilder().setVolume("docs").setFromPath("/b.txt").setToPath("/c.txt").build());
        assertThat(props(m.ns(), "/c.txt")).isEmpty();

        m.ns().delete(DeleteRequest.newBuilder().setVolume("docs").setPath("/b.txt").build());
        expectError(ErrorCode.NOT_FOUND, () -> props(m.ns(), "/b.txt"));
        create("/b.txt");
        assertThat(props(m.ns(), "/b.txt")).as("a new file at the old name").isEmpty();
        // the volume root keeps properties too
        set("/", prop("root", "r"));
        assertThat(props(m.ns(), "/")).containsExactly(Map.entry("root", "r"));
    }

    @Test
    void limitsAreCheckedBeforeAnythingChanges() {
        create("/limits.bin");
        set("/limits.bin", prop("keep", "k"));
        String big = "v".repeat(64 * 1024 + 1);
        var tooBig = expectError(ErrorCode.INVALID_ARGUMENT, () -> set("/limits.bin", prop("new", "n"), prop("big", big)));
        assertThat(tooBig.getMessage()).contains("65536");
        expectError(ErrorCode.INVALID_ARGUMENT, () -> set("/limits.bin", prop("", "empty name")));
        expectError(ErrorCode.INVALID_ARGUMENT, () -> set("/limits.bin", prop("n".repeat(256), "long name")));
        assertThat(props(m.ns(), "/limits.bin")).as("nothing of a refused change").containsExactly(Map.entry("keep", "k"));

        String value = "v".repeat(62 * 1024);
        for (int i = 0; i < 16; i++) {
            set("/limits.bin", prop("p" + i, value));
        }
        var total = expectError(ErrorCode.INVALID_ARGUMENT, () -> set("/limits.bin", prop("p16", value)));
        assertThat(total.getMessage()).contains("at most 1048576 bytes");
        SetPropertiesRequest.Builder many = SetPropertiesRequest.newBuilder().setVolume("docs").setPath("/limits.bin");
        for (int i = 0; i < 257; i++) {
            many.addSet(prop("m" + i, "x"));
        }
        var count = expectError(ErrorCode.INVALID_ARGUMENT, () -> m.ns().setProperties(many.build()));
        assertThat(count.getMessage()).contains("at most 256 properties");
        assertThat(props(m.ns(), "/limits.bin")).hasSize(17);
    }

    @Test
    void aReadOnlyGrantReadsButCannotChangeProperties() {
        create("/shared.txt");
        set("/shared.txt", prop("x", "1"));
        assertThat(props(reader, "/shared.txt")).containsExactly(Map.entry("x", "1"));
        expectError(ErrorCode.ACCESS_DENIED, () -> reader.setProperties(SetPropertiesRequest.newBuilder()
                .setVolume("docs").setPath("/shared.txt").addSet(prop("x", "2")).build()));
        assertThat(props(m.ns(), "/shared.txt")).containsExactly(Map.entry("x", "1"));
    }

    @Test
    void volumeAccessSaysWhatTheCallerMayDo() {
        GetVolumeAccessResponse admin = m.ns().getVolumeAccess(GetVolumeAccessRequest.newBuilder().setVolume("docs").build());
        assertThat(admin.getRead()).isTrue();
        assertThat(admin.getWrite()).isTrue();
        GetVolumeAccessResponse ro = reader.getVolumeAccess(GetVolumeAccessRequest.newBuilder().setVolume("docs").build());
        assertThat(ro.getRead()).isTrue();
        assertThat(ro.getWrite()).isFalse();
        expectError(ErrorCode.UNKNOWN_VOLUME, () -> reader.getVolumeAccess(
                GetVolumeAccessRequest.newBuilder().setVolume("nope").build()));
    }
}
