# Runs in an empty directory; prints one line per step. The same on any POSIX file system.
st() { stat -c '%n %F %a %u:%g %s' "$@" 2>&1; }
echo '# rename over an existing file, a directory, a directory tree'
printf 'hello world\n' > a; printf 'other content\n' > b
mv b a; cat a; ls b 2>&1
mkdir d; printf x > d/f; mkdir e; mv d e; cat e/d/f; echo
mkdir -p r/s; printf 1 > r/s/one; mkdir -p t; mv r t/r2; cat t/r2/s/one; echo; ls r 2>&1
mkdir emptydir; mkdir -p over/x; mv -T emptydir over/x; ls over; ls emptydir 2>&1
echo '# truncate: shrink, extend with zeros, to zero'
head -c 200000 /dev/zero | tr '\0' 'z' > big
truncate -s 70000 big; st big; tail -c 3 big; echo
truncate -s 140000 big; st big; tail -c 70000 big | tr -d '\0' | wc -c
truncate -s 0 big; st big
echo '# writes at offsets and holes'
printf abcdefghij > p; printf XY | dd of=p bs=1 seek=4 conv=notrunc status=none; cat p; echo
printf Z | dd of=p bs=1 seek=15 conv=notrunc status=none; od -c p | head -2
printf tail >> p; st p
echo '# symbolic links'
ln -s a link; readlink link; cat link; st link
ln -s nowhere dangling; cat dangling 2>&1; readlink dangling
ln -s e/d/../../a rel; readlink rel
ln -s e dirlink; cat dirlink/d/f; echo; ls -d dirlink/d
echo '# chmod, chown, touch'
chmod 600 a; chmod 4755 p; chmod 0 big; st a p big
chown 1234:4321 a; st a; chown :99 a; st a; chown 77 a; st a; chown -h 5:6 link; stat -c '%n %u:%g' link
touch -d '2001-02-03 04:05:06.5' a; stat -c '%n %X %Y' a; touch -m -d '2010-01-01 00:00:00' a; stat -c '%n %X %Y' a
touch -a -d '2011-01-01 00:00:00' a; stat -c '%n %X %Y' a
touch -r a p; stat -c '%n %Y' p
mkdir d2; touch -d '2002-02-02 02:02:02' d2; stat -c '%n %F %a %Y' d2
echo '# errors'
cat nosuchfile 2>&1; rm nosuchfile 2>&1; rmdir nosuchdir 2>&1; mv nosuch x 2>&1; touch nodir/x 2>&1
mkdir full; touch full/x; rmdir full 2>&1; mkdir e2; mv -T e2 full 2>&1; rm -d full 2>&1
cat full 2>&1; sh -c 'printf x > full' 2>&1; dd if=/dev/zero of=full count=1 status=none 2>&1
mkdir full 2>&1; mkdir a 2>&1; ln -s a link 2>&1; mkdir link 2>&1
n=$(printf 'n%.0s' $(seq 1 256)); touch "$n" 2>&1 | sed "s/$n/N256/"; mkdir "$n" 2>&1 | sed "s/$n/N256/"
ln -s a "$n" 2>&1 | sed "s/$n/N256/"; mv a "$n" 2>&1 | sed "s/$n/N256/"
m=$(printf 'm%.0s' $(seq 1 255)); touch "$m" && echo 255 bytes ok; rm "$m"
cat a/x 2>&1; mkdir a/x 2>&1; rmdir a 2>&1
echo '# what is left'
find . -type d -printf '%P d %m\n' -o -printf '%P %y %m %U:%G %s %l\n' | LC_ALL=C sort
