;; PDQ's Jarosz box filters (pdq.md §1.5) with f32x4 lanes over four independent rows or columns.
;;
;; Bit-exactness: every lane runs exactly the reference's sequence of float32 operations for its own
;; row or column (add, then subtract, then divide by the count, each rounded to float32); lanes never
;; mix, so nothing is reassociated. WebAssembly's f32x4.add/sub/div are IEEE single precision per lane
;; and never fused. The counts are small integers, exact in float32.
;;
;; All pointers are byte offsets into the exported memory; images are row-major float32.
;; Assembled by wabt into box-simd-wasm.ts (see box-simd.test.ts); edit this file, not that one.
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
      (local.set $k (i32.sub (local.get $k) (i32.const 1)))
      (br $l1)))
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
      (local.set $k (i32.sub (local.get $k) (i32.const 1)))
      (br $l2)))
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
      (local.set $k (i32.sub (local.get $k) (i32.const 1)))
      (br $l3)))
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
      (local.set $k (i32.sub (local.get $k) (i32.const 1)))
      (br $l4))))

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
        (local.set $c (i32.add (local.get $c) (i32.const 16)))
        (br $lin)))
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
        (local.set $c (i32.add (local.get $c) (i32.const 4)))
        (br $lin1)))
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
        (local.set $c (i32.add (local.get $c) (i32.const 16)))
        (br $lout)))
      (block $tout1 (loop $lout1
        (br_if $tout1 (i32.ge_u (local.get $c) (local.get $rowBytes)))
        (local.set $a (v128.load (i32.add (local.get $u) (i32.shl (local.get $c) (i32.const 2)))))
        (f32.store (i32.add (local.get $out) (i32.add (local.get $p0) (local.get $c))) (f32x4.extract_lane 0 (local.get $a)))
        (f32.store (i32.add (local.get $out) (i32.add (local.get $p1) (local.get $c))) (f32x4.extract_lane 1 (local.get $a)))
        (f32.store (i32.add (local.get $out) (i32.add (local.get $p2) (local.get $c))) (f32x4.extract_lane 2 (local.get $a)))
        (f32.store (i32.add (local.get $out) (i32.add (local.get $p3) (local.get $c))) (f32x4.extract_lane 3 (local.get $a)))
        (local.set $c (i32.add (local.get $c) (i32.const 4)))
        (br $lout1)))
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
          (local.set $j (i32.add (local.get $j) (i32.const 16)))
          (br $l)))
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
          (local.set $j (i32.add (local.get $j) (i32.const 4)))
          (br $l)))
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
          (local.set $j (i32.add (local.get $j) (i32.const 16)))
          (br $l)))
        (block $d (loop $l
          (br_if $d (i32.ge_u (local.get $j) (local.get $rowBytes)))
          (local.set $f
            (f32.sub
              (f32.load (i32.add (local.get $sums) (local.get $j)))
              (f32.load (i32.add (local.get $left) (local.get $j)))))
          (f32.store (i32.add (local.get $sums) (local.get $j)) (local.get $f))
          (f32.store (i32.add (local.get $out) (local.get $j)) (f32.div (local.get $f) (local.get $fdiv)))
          (local.set $j (i32.add (local.get $j) (i32.const 4)))
          (br $l)))
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
      (local.set $j (i32.add (local.get $j) (i32.const 16)))
      (br $l)))
    (block $d (loop $l
      (br_if $d (i32.ge_u (local.get $j) (local.get $rowBytes)))
      (local.set $f
        (f32.add
          (f32.load (i32.add (local.get $sums) (local.get $j)))
          (f32.load (i32.add (local.get $in) (local.get $j)))))
      (f32.store (i32.add (local.get $sums) (local.get $j)) (local.get $f))
      (if (local.get $mode)
        (then (f32.store (i32.add (local.get $out) (local.get $j)) (f32.div (local.get $f) (local.get $fdiv)))))
      (local.set $j (i32.add (local.get $j) (i32.const 4)))
      (br $l))))

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
      (local.set $k (i32.sub (local.get $k) (i32.const 1)))
      (br $l1)))
    (local.set $k (i32.add (i32.sub (local.get $win) (local.get $half)) (i32.const 1)))
    (block $d2 (loop $l2
      (br_if $d2 (i32.le_s (local.get $k) (i32.const 0)))
      (local.set $cnt (i32.add (local.get $cnt) (i32.const 1)))
      (call $colStep (i32.const 1) (local.get $ri) (i32.const 0) (local.get $sums) (local.get $oi)
        (local.get $w) (local.get $cnt))
      (local.set $ri (i32.add (local.get $ri) (local.get $rowBytes)))
      (local.set $oi (i32.add (local.get $oi) (local.get $rowBytes)))
      (local.set $k (i32.sub (local.get $k) (i32.const 1)))
      (br $l2)))
    (local.set $k (i32.sub (local.get $h) (local.get $win)))
    (block $d3 (loop $l3
      (br_if $d3 (i32.le_s (local.get $k) (i32.const 0)))
      (call $colStep (i32.const 2) (local.get $ri) (local.get $li) (local.get $sums) (local.get $oi)
        (local.get $w) (local.get $cnt))
      (local.set $ri (i32.add (local.get $ri) (local.get $rowBytes)))
      (local.set $li (i32.add (local.get $li) (local.get $rowBytes)))
      (local.set $oi (i32.add (local.get $oi) (local.get $rowBytes)))
      (local.set $k (i32.sub (local.get $k) (i32.const 1)))
      (br $l3)))
    (local.set $k (i32.sub (local.get $half) (i32.const 1)))
    (block $d4 (loop $l4
      (br_if $d4 (i32.le_s (local.get $k) (i32.const 0)))
      (local.set $cnt (i32.sub (local.get $cnt) (i32.const 1)))
      (call $colStep (i32.const 3) (i32.const 0) (local.get $li) (local.get $sums) (local.get $oi)
        (local.get $w) (local.get $cnt))
      (local.set $li (i32.add (local.get $li) (local.get $rowBytes)))
      (local.set $oi (i32.add (local.get $oi) (local.get $rowBytes)))
      (local.set $k (i32.sub (local.get $k) (i32.const 1)))
      (br $l4))))
)
