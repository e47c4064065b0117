;; PDQ's luminance, Jarosz box filters and DCT (pdq.md §1.3, §1.5, §1.8) with f32x4 lanes over
;; four independent pixels, rows, columns or coefficients.
;;
;; Bit-exactness: every lane runs exactly the reference's sequence of float32 operations for its own
;; output (for the filters: add, then subtract, then divide by the count, each rounded to float32);
;; lanes never mix, so nothing is reassociated. WebAssembly's f32x4.add/sub/div are IEEE single precision per lane
;; and never fused. The counts are small integers, exact in float32.
;;
;; All pointers are byte offsets into the exported memory; images are row-major float32.
;; Assembled by wabt into pdq-simd-wasm.ts (see pdq-simd.test.ts); edit this file, not that one.
(module
  (memory (export "memory") 1)

  ;; One running-sum box filter over `n` vectors of 4 lanes at `src` (16 bytes apart) into `dst`.
  (func $slide (param $src i32) (param $dst i32) (param $n i32) (param $win i32)
    (local $half i32) (local $k i32) (local $cnt i32) (local $ri i32) (local $li i32) (local $oi i32)
    (local $sum v128) (local $div v128)
    (local.set $half (i32.div_u (i32.add (local.get $win) (i32.const 2)) (i32.const 2)))
    (local.set $ri (local.get $src))
    (local.set $li (local.get $src))
    (local.set $oi (local.get $dst))
    (local.set $sum (f32x4.splat (f32.const 0)))
    ;; p1 = half - 1: accumulate only
    (local.set $k (i32.sub (local.get $half) (i32.const 1)))
    (block $d1 (loop $l1
      (br_if $d1 (i32.le_s (local.get $k) (i32.const 0)))
      (local.set $sum (f32x4.add (local.get $sum) (v128.load (local.get $ri))))
      (local.set $ri (i32.add (local.get $ri) (i32.const 16)))
      (local.set $cnt (i32.add (local.get $cnt) (i32.const 1)))
      (local.set $k (i32.sub (local.get $k) (i32.const 1))) (br $l1)))
    ;; p2 = win - half + 1: accumulate and emit with a growing count
    (local.set $k (i32.add (i32.sub (local.get $win) (local.get $half)) (i32.const 1)))
    (block $d2 (loop $l2
      (br_if $d2 (i32.le_s (local.get $k) (i32.const 0)))
      (local.set $sum (f32x4.add (local.get $sum) (v128.load (local.get $ri))))
      (local.set $ri (i32.add (local.get $ri) (i32.const 16)))
      (local.set $cnt (i32.add (local.get $cnt) (i32.const 1)))
      (v128.store (local.get $oi)
        (f32x4.div (local.get $sum) (f32x4.splat (f32.convert_i32_u (local.get $cnt)))))
      (local.set $oi (i32.add (local.get $oi) (i32.const 16)))
      (local.set $k (i32.sub (local.get $k) (i32.const 1))) (br $l2)))
    ;; p3 = n - win: add the entering element, then subtract the leaving one
    (local.set $div (f32x4.splat (f32.convert_i32_u (local.get $cnt))))
    (local.set $k (i32.sub (local.get $n) (local.get $win)))
    (block $d3 (loop $l3
      (br_if $d3 (i32.le_s (local.get $k) (i32.const 0)))
      (local.set $sum
        (f32x4.sub
          (f32x4.add (local.get $sum) (v128.load (local.get $ri)))
          (v128.load (local.get $li))))
      (v128.store (local.get $oi) (f32x4.div (local.get $sum) (local.get $div)))
      (local.set $ri (i32.add (local.get $ri) (i32.const 16)))
      (local.set $li (i32.add (local.get $li) (i32.const 16)))
      (local.set $oi (i32.add (local.get $oi) (i32.const 16)))
      (local.set $k (i32.sub (local.get $k) (i32.const 1))) (br $l3)))
    ;; p4 = half - 1: subtract and emit with a shrinking count
    (local.set $k (i32.sub (local.get $half) (i32.const 1)))
    (block $d4 (loop $l4
      (br_if $d4 (i32.le_s (local.get $k) (i32.const 0)))
      (local.set $sum (f32x4.sub (local.get $sum) (v128.load (local.get $li))))
      (local.set $cnt (i32.sub (local.get $cnt) (i32.const 1)))
      (v128.store (local.get $oi)
        (f32x4.div (local.get $sum) (f32x4.splat (f32.convert_i32_u (local.get $cnt)))))
      (local.set $li (i32.add (local.get $li) (i32.const 16)))
      (local.set $oi (i32.add (local.get $oi) (i32.const 16)))
      (local.set $k (i32.sub (local.get $k) (i32.const 1))) (br $l4))))

  ;; Box filter along every row, `in` → `out` (h × w). Four rows at a time are transposed into `t`
  ;; (w vectors, lane k = row k), filtered into `u`, and transposed back. A last strip with fewer than
  ;; four rows repeats the last row in the spare lanes: those lanes compute and store that row's
  ;; values again, identically.
  (func (export "rows") (param $in i32) (param $out i32) (param $h i32) (param $w i32) (param $win i32)
    (param $t i32) (param $u i32)
    (local $r i32) (local $rowBytes i32) (local $vecBytes i32) (local $c i32) (local $last i32)
    (local $p0 i32) (local $p1 i32) (local $p2 i32) (local $p3 i32)
    (local $a v128) (local $b v128) (local $cc v128) (local $d v128) (local $x v128) (local $y v128)
    (local.set $rowBytes (i32.shl (local.get $w) (i32.const 2)))
    (local.set $vecBytes (i32.and (local.get $rowBytes) (i32.const -16)))
    (local.set $last (i32.sub (local.get $h) (i32.const 1)))
    (block $done (loop $strip
      (br_if $done (i32.ge_s (local.get $r) (local.get $h)))
      ;; row offsets (relative to in/out), clamped to the last row
      (local.set $p0 (i32.mul (local.get $r) (local.get $rowBytes)))
      (local.set $p1 (i32.mul (select (i32.add (local.get $r) (i32.const 1)) (local.get $last)
        (i32.lt_s (i32.add (local.get $r) (i32.const 1)) (local.get $h))) (local.get $rowBytes)))
      (local.set $p2 (i32.mul (select (i32.add (local.get $r) (i32.const 2)) (local.get $last)
        (i32.lt_s (i32.add (local.get $r) (i32.const 2)) (local.get $h))) (local.get $rowBytes)))
      (local.set $p3 (i32.mul (select (i32.add (local.get $r) (i32.const 3)) (local.get $last)
        (i32.lt_s (i32.add (local.get $r) (i32.const 3)) (local.get $h))) (local.get $rowBytes)))
      ;; transpose in: 4 columns at a time (c is the byte offset within a row)
      (local.set $c (i32.const 0))
      (block $tin (loop $lin
        (br_if $tin (i32.ge_u (local.get $c) (local.get $vecBytes)))
        (local.set $a (v128.load (i32.add (local.get $in) (i32.add (local.get $p0) (local.get $c)))))
        (local.set $b (v128.load (i32.add (local.get $in) (i32.add (local.get $p1) (local.get $c)))))
        (local.set $cc (v128.load (i32.add (local.get $in) (i32.add (local.get $p2) (local.get $c)))))
        (local.set $d (v128.load (i32.add (local.get $in) (i32.add (local.get $p3) (local.get $c)))))
        (local.set $x (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $a) (local.get $b)))
        (local.set $y (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $cc) (local.get $d)))
        (v128.store offset=0 (i32.add (local.get $t) (i32.shl (local.get $c) (i32.const 2)))
          (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $x) (local.get $y)))
        (v128.store offset=16 (i32.add (local.get $t) (i32.shl (local.get $c) (i32.const 2)))
          (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $x) (local.get $y)))
        (local.set $x (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $a) (local.get $b)))
        (local.set $y (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $cc) (local.get $d)))
        (v128.store offset=32 (i32.add (local.get $t) (i32.shl (local.get $c) (i32.const 2)))
          (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $x) (local.get $y)))
        (v128.store offset=48 (i32.add (local.get $t) (i32.shl (local.get $c) (i32.const 2)))
          (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $x) (local.get $y)))
        (local.set $c (i32.add (local.get $c) (i32.const 16))) (br $lin)))
      ;; the last w mod 4 columns one at a time
      (block $tin1 (loop $lin1
        (br_if $tin1 (i32.ge_u (local.get $c) (local.get $rowBytes)))
        (v128.store (i32.add (local.get $t) (i32.shl (local.get $c) (i32.const 2)))
          (f32x4.replace_lane 3
            (f32x4.replace_lane 2
              (f32x4.replace_lane 1
                (f32x4.splat (f32.load (i32.add (local.get $in) (i32.add (local.get $p0) (local.get $c)))))
                (f32.load (i32.add (local.get $in) (i32.add (local.get $p1) (local.get $c)))))
              (f32.load (i32.add (local.get $in) (i32.add (local.get $p2) (local.get $c)))))
            (f32.load (i32.add (local.get $in) (i32.add (local.get $p3) (local.get $c))))))
        (local.set $c (i32.add (local.get $c) (i32.const 4))) (br $lin1)))
      (call $slide (local.get $t) (local.get $u) (local.get $w) (local.get $win))
      ;; transpose out (the same shuffles undo the transpose)
      (local.set $c (i32.const 0))
      (block $tout (loop $lout
        (br_if $tout (i32.ge_u (local.get $c) (local.get $vecBytes)))
        (local.set $a (v128.load offset=0 (i32.add (local.get $u) (i32.shl (local.get $c) (i32.const 2)))))
        (local.set $b (v128.load offset=16 (i32.add (local.get $u) (i32.shl (local.get $c) (i32.const 2)))))
        (local.set $cc (v128.load offset=32 (i32.add (local.get $u) (i32.shl (local.get $c) (i32.const 2)))))
        (local.set $d (v128.load offset=48 (i32.add (local.get $u) (i32.shl (local.get $c) (i32.const 2)))))
        (local.set $x (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $a) (local.get $b)))
        (local.set $y (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $cc) (local.get $d)))
        (v128.store (i32.add (local.get $out) (i32.add (local.get $p0) (local.get $c)))
          (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $x) (local.get $y)))
        (v128.store (i32.add (local.get $out) (i32.add (local.get $p1) (local.get $c)))
          (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $x) (local.get $y)))
        (local.set $x (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $a) (local.get $b)))
        (local.set $y (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $cc) (local.get $d)))
        (v128.store (i32.add (local.get $out) (i32.add (local.get $p2) (local.get $c)))
          (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $x) (local.get $y)))
        (v128.store (i32.add (local.get $out) (i32.add (local.get $p3) (local.get $c)))
          (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $x) (local.get $y)))
        (local.set $c (i32.add (local.get $c) (i32.const 16))) (br $lout)))
      (block $tout1 (loop $lout1
        (br_if $tout1 (i32.ge_u (local.get $c) (local.get $rowBytes)))
        (local.set $a (v128.load (i32.add (local.get $u) (i32.shl (local.get $c) (i32.const 2)))))
        (f32.store (i32.add (local.get $out) (i32.add (local.get $p0) (local.get $c))) (f32x4.extract_lane 0 (local.get $a)))
        (f32.store (i32.add (local.get $out) (i32.add (local.get $p1) (local.get $c))) (f32x4.extract_lane 1 (local.get $a)))
        (f32.store (i32.add (local.get $out) (i32.add (local.get $p2) (local.get $c))) (f32x4.extract_lane 2 (local.get $a)))
        (f32.store (i32.add (local.get $out) (i32.add (local.get $p3) (local.get $c))) (f32x4.extract_lane 3 (local.get $a)))
        (local.set $c (i32.add (local.get $c) (i32.const 4))) (br $lout1)))
      (local.set $r (i32.add (local.get $r) (i32.const 4)))
      (br $strip))))

  ;; One row step of the column filter over all w columns: sums[j] = (sums[j] + in[j]) - left[j], and
  ;; out[j] = sums[j] / cnt. `mode` picks the phase: 0 add only, 1 add and emit, 2 add, subtract and
  ;; emit, 3 subtract and emit. The branch is per row, the loops are per column.
  (func $colStep (param $mode i32) (param $in i32) (param $left i32) (param $sums i32) (param $out i32)
    (param $w i32) (param $cnt i32)
    (local $j i32) (local $vecBytes i32) (local $rowBytes i32) (local $s v128) (local $div v128)
    (local $f f32) (local $fdiv f32)
    (local.set $rowBytes (i32.shl (local.get $w) (i32.const 2)))
    (local.set $vecBytes (i32.and (local.get $rowBytes) (i32.const -16)))
    (local.set $fdiv (f32.convert_i32_u (local.get $cnt)))
    (local.set $div (f32x4.splat (local.get $fdiv)))
    (if (i32.eq (local.get $mode) (i32.const 2))
      (then
        (block $d (loop $l
          (br_if $d (i32.ge_u (local.get $j) (local.get $vecBytes)))
          (local.set $s
            (f32x4.sub
              (f32x4.add
                (v128.load (i32.add (local.get $sums) (local.get $j)))
                (v128.load (i32.add (local.get $in) (local.get $j))))
              (v128.load (i32.add (local.get $left) (local.get $j)))))
          (v128.store (i32.add (local.get $sums) (local.get $j)) (local.get $s))
          (v128.store (i32.add (local.get $out) (local.get $j)) (f32x4.div (local.get $s) (local.get $div)))
          (local.set $j (i32.add (local.get $j) (i32.const 16))) (br $l)))
        (block $d (loop $l
          (br_if $d (i32.ge_u (local.get $j) (local.get $rowBytes)))
          (local.set $f
            (f32.sub
              (f32.add
                (f32.load (i32.add (local.get $sums) (local.get $j)))
                (f32.load (i32.add (local.get $in) (local.get $j))))
              (f32.load (i32.add (local.get $left) (local.get $j)))))
          (f32.store (i32.add (local.get $sums) (local.get $j)) (local.get $f))
          (f32.store (i32.add (local.get $out) (local.get $j)) (f32.div (local.get $f) (local.get $fdiv)))
          (local.set $j (i32.add (local.get $j) (i32.const 4))) (br $l)))
        (return)))
    (if (i32.eq (local.get $mode) (i32.const 3))
      (then
        (block $d (loop $l
          (br_if $d (i32.ge_u (local.get $j) (local.get $vecBytes)))
          (local.set $s
            (f32x4.sub
              (v128.load (i32.add (local.get $sums) (local.get $j)))
              (v128.load (i32.add (local.get $left) (local.get $j)))))
          (v128.store (i32.add (local.get $sums) (local.get $j)) (local.get $s))
          (v128.store (i32.add (local.get $out) (local.get $j)) (f32x4.div (local.get $s) (local.get $div)))
          (local.set $j (i32.add (local.get $j) (i32.const 16))) (br $l)))
        (block $d (loop $l
          (br_if $d (i32.ge_u (local.get $j) (local.get $rowBytes)))
          (local.set $f
            (f32.sub
              (f32.load (i32.add (local.get $sums) (local.get $j)))
              (f32.load (i32.add (local.get $left) (local.get $j)))))
          (f32.store (i32.add (local.get $sums) (local.get $j)) (local.get $f))
          (f32.store (i32.add (local.get $out) (local.get $j)) (f32.div (local.get $f) (local.get $fdiv)))
          (local.set $j (i32.add (local.get $j) (i32.const 4))) (br $l)))
        (return)))
    ;; modes 0 and 1
    (block $d (loop $l
      (br_if $d (i32.ge_u (local.get $j) (local.get $vecBytes)))
      (local.set $s
        (f32x4.add
          (v128.load (i32.add (local.get $sums) (local.get $j)))
          (v128.load (i32.add (local.get $in) (local.get $j)))))
      (v128.store (i32.add (local.get $sums) (local.get $j)) (local.get $s))
      (if (local.get $mode)
        (then (v128.store (i32.add (local.get $out) (local.get $j)) (f32x4.div (local.get $s) (local.get $div)))))
      (local.set $j (i32.add (local.get $j) (i32.const 16))) (br $l)))
    (block $d (loop $l
      (br_if $d (i32.ge_u (local.get $j) (local.get $rowBytes)))
      (local.set $f
        (f32.add
          (f32.load (i32.add (local.get $sums) (local.get $j)))
          (f32.load (i32.add (local.get $in) (local.get $j)))))
      (f32.store (i32.add (local.get $sums) (local.get $j)) (local.get $f))
      (if (local.get $mode)
        (then (f32.store (i32.add (local.get $out) (local.get $j)) (f32.div (local.get $f) (local.get $fdiv)))))
      (local.set $j (i32.add (local.get $j) (i32.const 4))) (br $l))))

  ;; Box filter along every column, `in` → `out` (h × w), swept row by row so that memory is read in
  ;; order; `sums` (w floats) holds each column's running sum between rows.
  (func (export "cols") (param $in i32) (param $out i32) (param $h i32) (param $w i32) (param $win i32)
    (param $sums i32)
    (local $half i32) (local $k i32) (local $cnt i32) (local $rowBytes i32)
    (local $ri i32) (local $li i32) (local $oi i32)
    (local.set $rowBytes (i32.shl (local.get $w) (i32.const 2)))
    (memory.fill (local.get $sums) (i32.const 0) (local.get $rowBytes))
    (local.set $half (i32.div_u (i32.add (local.get $win) (i32.const 2)) (i32.const 2)))
    (local.set $ri (local.get $in))
    (local.set $li (local.get $in))
    (local.set $oi (local.get $out))
    (local.set $k (i32.sub (local.get $half) (i32.const 1)))
    (block $d1 (loop $l1
      (br_if $d1 (i32.le_s (local.get $k) (i32.const 0)))
      (local.set $cnt (i32.add (local.get $cnt) (i32.const 1)))
      (call $colStep (i32.const 0) (local.get $ri) (i32.const 0) (local.get $sums) (i32.const 0)
        (local.get $w) (local.get $cnt))
      (local.set $ri (i32.add (local.get $ri) (local.get $rowBytes)))
      (local.set $k (i32.sub (local.get $k) (i32.const 1))) (br $l1)))
    (local.set $k (i32.add (i32.sub (local.get $win) (local.get $half)) (i32.const 1)))
    (block $d2 (loop $l2
      (br_if $d2 (i32.le_s (local.get $k) (i32.const 0)))
      (local.set $cnt (i32.add (local.get $cnt) (i32.const 1)))
      (call $colStep (i32.const 1) (local.get $ri) (i32.const 0) (local.get $sums) (local.get $oi)
        (local.get $w) (local.get $cnt))
      (local.set $ri (i32.add (local.get $ri) (local.get $rowBytes)))
      (local.set $oi (i32.add (local.get $oi) (local.get $rowBytes)))
      (local.set $k (i32.sub (local.get $k) (i32.const 1))) (br $l2)))
    (local.set $k (i32.sub (local.get $h) (local.get $win)))
    (block $d3 (loop $l3
      (br_if $d3 (i32.le_s (local.get $k) (i32.const 0)))
      (call $colStep (i32.const 2) (local.get $ri) (local.get $li) (local.get $sums) (local.get $oi)
        (local.get $w) (local.get $cnt))
      (local.set $ri (i32.add (local.get $ri) (local.get $rowBytes)))
      (local.set $li (i32.add (local.get $li) (local.get $rowBytes)))
      (local.set $oi (i32.add (local.get $oi) (local.get $rowBytes)))
      (local.set $k (i32.sub (local.get $k) (i32.const 1))) (br $l3)))
    (local.set $k (i32.sub (local.get $half) (i32.const 1)))
    (block $d4 (loop $l4
      (br_if $d4 (i32.le_s (local.get $k) (i32.const 0)))
      (local.set $cnt (i32.sub (local.get $cnt) (i32.const 1)))
      (call $colStep (i32.const 3) (i32.const 0) (local.get $li) (local.get $sums) (local.get $oi)
        (local.get $w) (local.get $cnt))
      (local.set $li (i32.add (local.get $li) (local.get $rowBytes)))
      (local.set $oi (i32.add (local.get $oi) (local.get $rowBytes)))
      (local.set $k (i32.sub (local.get $k) (i32.const 1))) (br $l4))))

  ;; Luminance (pdq.md §1.3) of h rows of w pixels: output pixel x of row y is the pixel at byte
  ;; `pix + y·rowBytes + xs[x]` (xs: w i32 byte offsets, so one loop serves both the full image and the
  ;; nearest-neighbour 512×512 grid). Colour: f32(f32(f32(cR·R) + f32(cG·G)) + f32(cB·B)) per lane, in
  ;; that order; grey: the value of the first channel. Reads 4 bytes per pixel, so the pixel region
  ;; needs 3 bytes of slack after it; needs w ≥ 4 (the last 4 pixels of a row are redone if w mod 4 ≠ 0,
  ;; storing the same values).
  (func (export "luma") (param $pix i32) (param $rowBytes i32) (param $xs i32) (param $w i32) (param $h i32)
    (param $dst i32) (param $grey i32) (param $cr f32) (param $cg f32) (param $cb f32)
    (local $y i32) (local $x i32) (local $xo i32) (local $last i32) (local $row i32) (local $out i32)
    (local $o i32) (local $v v128) (local $mask v128) (local $lum v128)
    (local $vr v128) (local $vg v128) (local $vb v128)
    (local.set $mask (i32x4.splat (i32.const 255)))
    (local.set $vr (f32x4.splat (local.get $cr)))
    (local.set $vg (f32x4.splat (local.get $cg)))
    (local.set $vb (f32x4.splat (local.get $cb)))
    (local.set $last (i32.sub (i32.shl (local.get $w) (i32.const 2)) (i32.const 16)))
    (local.set $out (local.get $dst))
    (block $rows (loop $rowLoop
      (br_if $rows (i32.ge_u (local.get $y) (local.get $h)))
      (local.set $row (i32.add (local.get $pix) (i32.mul (local.get $y) (local.get $rowBytes))))
      (local.set $x (i32.const 0))
      (block $cols (loop $colLoop
        (br_if $cols (i32.gt_s (local.get $x) (i32.add (local.get $last) (i32.const 12))))
        (local.set $xo (select (local.get $x) (local.get $last) (i32.le_s (local.get $x) (local.get $last))))
        (local.set $o (i32.add (local.get $xs) (local.get $xo)))
        (local.set $v (v128.load32_zero (i32.add (local.get $row) (i32.load offset=0 (local.get $o)))))
        (local.set $v (v128.load32_lane 1 (i32.add (local.get $row) (i32.load offset=4 (local.get $o))) (local.get $v)))
        (local.set $v (v128.load32_lane 2 (i32.add (local.get $row) (i32.load offset=8 (local.get $o))) (local.get $v)))
        (local.set $v (v128.load32_lane 3 (i32.add (local.get $row) (i32.load offset=12 (local.get $o))) (local.get $v)))
        (if (local.get $grey)
          (then
            (local.set $lum (f32x4.convert_i32x4_u (v128.and (local.get $v) (local.get $mask)))))
          (else
            (local.set $lum
              (f32x4.add
                (f32x4.add
                  (f32x4.mul (f32x4.convert_i32x4_u (v128.and (local.get $v) (local.get $mask))) (local.get $vr))
                  (f32x4.mul
                    (f32x4.convert_i32x4_u (v128.and (i32x4.shr_u (local.get $v) (i32.const 8)) (local.get $mask)))
                    (local.get $vg)))
                (f32x4.mul
                  (f32x4.convert_i32x4_u (v128.and (i32x4.shr_u (local.get $v) (i32.const 16)) (local.get $mask)))
                  (local.get $vb))))))
        (v128.store (i32.add (local.get $out) (local.get $xo)) (local.get $lum))
        (local.set $x (i32.add (local.get $x) (i32.const 16)))
        (br $colLoop)))
      (local.set $out (i32.add (local.get $out) (i32.shl (local.get $w) (i32.const 2))))
      (local.set $y (i32.add (local.get $y) (i32.const 1)))
      (br $rowLoop))))

  ;; PDQ's DCT (pdq.md §1.8) of the 64×64 `grid`: T = D·A (16×64) into `t`, then B = T·Dᵀ (16×16) into
  ;; `out`, with `d` = D (16×64) and `dt` = Dᵀ (64×16). Lanes run over output columns, and each output's
  ;; sum starts at 0 and adds its products in k order, as the reference's loops do.
  (func (export "dct") (param $grid i32) (param $d i32) (param $dt i32) (param $t i32) (param $out i32)
    (local $i i32) (local $k i32) (local $j i32) (local $trow i32) (local $arow i32)
    (local $dik v128) (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128) (local $p v128)
    (local $dtrow i32)
    (memory.fill (local.get $t) (i32.const 0) (i32.const 4096))
    (block $di (loop $li
      (br_if $di (i32.ge_u (local.get $i) (i32.const 16)))
      (local.set $trow (i32.add (local.get $t) (i32.shl (local.get $i) (i32.const 8))))
      (local.set $k (i32.const 0))
      (block $dk (loop $lk
        (br_if $dk (i32.ge_u (local.get $k) (i32.const 64)))
        (local.set $dik (v128.load32_splat
          (i32.add (local.get $d) (i32.shl (i32.add (i32.shl (local.get $i) (i32.const 6)) (local.get $k)) (i32.const 2)))))
        (local.set $arow (i32.add (local.get $grid) (i32.shl (local.get $k) (i32.const 8))))
        (local.set $j (i32.const 0))
        (block $dj (loop $lj
          (br_if $dj (i32.ge_u (local.get $j) (i32.const 256)))
          (v128.store (i32.add (local.get $trow) (local.get $j))
            (f32x4.add
              (v128.load (i32.add (local.get $trow) (local.get $j)))
              (f32x4.mul (local.get $dik) (v128.load (i32.add (local.get $arow) (local.get $j))))))
          (local.set $j (i32.add (local.get $j) (i32.const 16)))
          (br $lj)))
        (local.set $k (i32.add (local.get $k) (i32.const 1)))
        (br $lk)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $li)))
    (local.set $i (i32.const 0))
    (block $di2 (loop $li2
      (br_if $di2 (i32.ge_u (local.get $i) (i32.const 16)))
      (local.set $trow (i32.add (local.get $t) (i32.shl (local.get $i) (i32.const 8))))
      (local.set $a0 (f32x4.splat (f32.const 0)))
      (local.set $a1 (f32x4.splat (f32.const 0)))
      (local.set $a2 (f32x4.splat (f32.const 0)))
      (local.set $a3 (f32x4.splat (f32.const 0)))
      (local.set $k (i32.const 0))
      (block $dk2 (loop $lk2
        (br_if $dk2 (i32.ge_u (local.get $k) (i32.const 64)))
        (local.set $p (v128.load32_splat (i32.add (local.get $trow) (i32.shl (local.get $k) (i32.const 2)))))
        (local.set $dtrow (i32.add (local.get $dt) (i32.shl (local.get $k) (i32.const 6))))
        (local.set $a0 (f32x4.add (local.get $a0) (f32x4.mul (local.get $p) (v128.load offset=0 (local.get $dtrow)))))
        (local.set $a1 (f32x4.add (local.get $a1) (f32x4.mul (local.get $p) (v128.load offset=16 (local.get $dtrow)))))
        (local.set $a2 (f32x4.add (local.get $a2) (f32x4.mul (local.get $p) (v128.load offset=32 (local.get $dtrow)))))
        (local.set $a3 (f32x4.add (local.get $a3) (f32x4.mul (local.get $p) (v128.load offset=48 (local.get $dtrow)))))
        (local.set $k (i32.add (local.get $k) (i32.const 1)))
        (br $lk2)))
      (local.set $arow (i32.add (local.get $out) (i32.shl (local.get $i) (i32.const 6))))
      (v128.store offset=0 (local.get $arow) (local.get $a0))
      (v128.store offset=16 (local.get $arow) (local.get $a1))
      (v128.store offset=32 (local.get $arow) (local.get $a2))
      (v128.store offset=48 (local.get $arow) (local.get $a3))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $li2))))
)
