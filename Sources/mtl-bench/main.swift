import Foundation
import MultiTaskKit
var rng = SeededGenerator(seed: 1)
for (m,k,n) in [(256,256,256),(512,512,512),(1024,1024,1024),(32,144,32768),(37,53,71)] {
  let a = (0..<m*k).map{_ in rng.nextFloat()-0.5}, b=(0..<k*n).map{_ in rng.nextFloat()-0.5}
  var c = [Float](repeating:0,count:m*n), r=[Float](repeating:0,count:m*n)
  for th in [1,2] {
    var times: [Double] = []
    for _ in 0..<8 { let t=DispatchTime.now().uptimeNanoseconds
      a.withUnsafeBufferPointer{ap in b.withUnsafeBufferPointer{bp in c.withUnsafeMutableBufferPointer{cp in
        gemm(m:m,n:n,k:k,a:ap.baseAddress!,lda:k,transposeA:false,b:bp.baseAddress!,ldb:n,transposeB:false,c:cp.baseAddress!,ldc:n,accumulate:false,threads:th)}}}
      times.append(Double(DispatchTime.now().uptimeNanoseconds-t)/1e6) }
    let ms=times.sorted()[4]; print(m,k,n,th,ms, 2.0*Double(m*n*k)/ms/1e6)
  }
  if m*n*k < 300_000_000 { a.withUnsafeBufferPointer{ap in b.withUnsafeBufferPointer{bp in r.withUnsafeMutableBufferPointer{cp in
        gemmNaive(m:m,n:n,k:k,a:ap.baseAddress!,lda:k,transposeA:false,b:bp.baseAddress!,ldb:n,transposeB:false,c:cp.baseAddress!,ldc:n,accumulate:false)}}}
    print("maxdiff", zip(c,r).map{abs($0-$1)}.max()!) }
}
